import type { FleetSelector } from './fleet-shapes.js';

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The selector form's fields as typed: comma-separated lists. */
export interface SelectorText {
  environments: string;
  services: string;
  instances: string;
  tags: string;
}

/** The selector the form describes, or an error saying what to write instead. */
export function selectorOf(text: SelectorText): { selector?: FleetSelector; error?: string } {
  const selector: FleetSelector = {};
  if (list(text.environments).length) selector.environments = list(text.environments);
  if (list(text.services).length) selector.services = list(text.services);
  if (list(text.instances).length) {
    const bad = list(text.instances).find((i) => !/^[^/\s]+\/[^/\s]+$/.test(i));
    if (bad) return { error: `Instances are written service/instance (got “${bad}”).` };
    selector.instances = list(text.instances);
  }
  if (list(text.tags).length) {
    const tags = [];
    for (const t of list(text.tags)) {
      const at = t.indexOf('=');
      if (at < 1) return { error: `Tags are written key=value (got “${t}”).` };
      tags.push({ key: t.slice(0, at).trim(), value: t.slice(at + 1).trim() });
    }
    selector.tags = tags;
  }
  return Object.keys(selector).length ? { selector } : {};
}
