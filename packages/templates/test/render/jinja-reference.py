"""Reference renderer for Nucleon's differential test and render bench.

Renders templates with Python Jinja2 configured as AWS Proton did (StrictUndefined, no
autoescape, default trailing-newline handling) plus Proton's four filters, implemented here
with the same block re-indentation rule as the TypeScript renderer.

Modes (JSON on stdin, JSON on stdout):
  render  {"mode": "render", "cases": [{"name", "template", "context"}]}
          -> [{"name", "ok": true, "output"} | {"name", "ok": false, "error"}]
  bench   {"mode": "bench", "cases": [...], "seconds": 2.0}
          -> {"renders": N, "seconds": S, "cpu_seconds": C}  (C: this process's CPU time)
Context values may use {"$float": 1} for a Python float and {"$absentComponent": true} for
Proton's empty `service_instance.components.default`.
"""
import json
import re
import sys
import time
from collections.abc import Mapping

from jinja2 import Environment, StrictUndefined, pass_context

BLOCKS = []
SAFE_VALUE = re.compile(r"[a-zA-Z0-9_-]*")
IAM_POLICY_ARN = re.compile(r"arn:[a-zA-Z-]+:iam::\d{12}:policy/")
ARN = re.compile(r"arn:[a-zA-Z0-9-]+:[a-zA-Z0-9-]+:[a-zA-Z0-9-]*:(\d{12})?:\S+")
PLACEHOLDER = re.compile("\x00PROTON_BLOCK_(\\d+)\x00")


class EmptyComponent(dict):
    """Proton's components.default when none is attached: prints {} but has .outputs == {}."""

    outputs = {}


def _placeholder(lines):
    if not lines:
        return ""
    BLOCKS.append("\n".join(lines))
    return "\x00PROTON_BLOCK_%d\x00" % (len(BLOCKS) - 1)


def _mapping(name, value):
    if not isinstance(value, Mapping):
        raise TypeError("%s expects a mapping of names to values" % name)
    return value


def _checked(name, value, raw):
    text = str(value)
    if not raw and not SAFE_VALUE.fullmatch(text):
        raise ValueError("%s: illegal character(s) detected in \"%s\"" % (name, text))
    return text


# pass_context keeps Jinja from constant-folding these filters at compile time, which would
# register their blocks before the render that uses them.
@pass_context
def proton_cfn_ecs_task_definition_formatted_env_vars(_ctx, value, raw=True):
    name = "proton_cfn_ecs_task_definition_formatted_env_vars"
    env = _mapping(name, value)
    lines = []
    for k in env:
        lines.append("- Name: %s" % k)
        lines.append("  Value: %s" % _checked(name, env[k], raw))
    return _placeholder(lines)


@pass_context
def proton_cfn_lambda_function_formatted_env_vars(_ctx, value, raw=True):
    name = "proton_cfn_lambda_function_formatted_env_vars"
    env = _mapping(name, value)
    return _placeholder(["%s: %s" % (k, _checked(name, env[k], raw)) for k in env])


@pass_context
def proton_cfn_iam_policy_arns(_ctx, value):
    items = value if isinstance(value, list) else list(_mapping("proton_cfn_iam_policy_arns", value).values())
    arns = [str(v) for v in items if IAM_POLICY_ARN.match(str(v))]
    return _placeholder(["- %s" % a for a in arns])


def proton_cfn_sanitize(value):
    text = str(value)
    if SAFE_VALUE.fullmatch(text) or ARN.fullmatch(text):
        return text
    raise ValueError(
        'Illegal character(s) detected in "%s". Must match regex ^[a-zA-Z0-9_-]*$ or be a valid ARN' % text
    )


def reindent(output):
    result = []
    last = 0
    for m in PLACEHOLDER.finditer(output):
        result.append(output[last:m.start()])
        last = m.end()
        idx = int(m.group(1))
        if idx >= len(BLOCKS):
            result.append(m.group(0))
            continue
        so_far = "".join(result)
        prefix = so_far[so_far.rfind("\n") + 1:]
        indent = prefix if re.fullmatch(r"[ \t]*", prefix) else " " * len(prefix)
        result.append(BLOCKS[idx].replace("\n", "\n" + indent))
    result.append(output[last:])
    return "".join(result)


def decode(value):
    if isinstance(value, dict):
        if set(value) == {"$float"}:
            return float(value["$float"])
        if set(value) == {"$absentComponent"}:
            return EmptyComponent()
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def make_env():
    env = Environment(undefined=StrictUndefined, autoescape=False)
    env.filters.update(
        proton_cfn_ecs_task_definition_formatted_env_vars=proton_cfn_ecs_task_definition_formatted_env_vars,
        proton_cfn_lambda_function_formatted_env_vars=proton_cfn_lambda_function_formatted_env_vars,
        proton_cfn_iam_policy_arns=proton_cfn_iam_policy_arns,
        proton_cfn_sanitize=proton_cfn_sanitize,
    )
    return env


def render_one(template, context):
    del BLOCKS[:]
    return reindent(template.render(context))


def run_render(env, cases):
    results = []
    for case in cases:
        try:
            template = env.from_string(case["template"])
            output = render_one(template, decode(case["context"]))
            results.append({"name": case["name"], "ok": True, "output": output})
        except Exception as exc:  # noqa: BLE001 - every failure is a result
            results.append({"name": case["name"], "ok": False, "error": "%s: %s" % (type(exc).__name__, exc)})
    return results


def run_bench(env, cases, seconds):
    compiled = [(env.from_string(c["template"]), decode(c["context"])) for c in cases]
    renders = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for template, context in compiled:
            render_one(template, context)
            renders += 1
    return {
        "renders": renders,
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu_start,
    }


def main():
    request = json.load(sys.stdin)
    env = make_env()
    if request.get("mode") == "bench":
        result = run_bench(env, request["cases"], float(request.get("seconds", 2.0)))
    else:
        result = run_render(env, request["cases"])
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
