import {
  recommendedMinorVersion,
  recommendedVersion,
  type VersionRef,
} from '../catalog/versions.js';

/** Proton's DeploymentUpdateType. */
export type DeploymentUpdateType = 'NONE' | 'CURRENT_VERSION' | 'MINOR_VERSION' | 'MAJOR_VERSION';

export type TargetVersion = { major: number; minor: number } | { error: string };

const usable = (
  versions: readonly VersionRef[],
  major: number,
  minor: number,
  allowDraft: boolean,
) =>
  versions.some(
    (v) =>
      v.major === major &&
      v.minor === minor &&
      (v.status === 'PUBLISHED' || (allowDraft && v.status === 'DRAFT')),
  );

/**
 * The template version an update deploys (spec §2.4): NONE and CURRENT_VERSION keep the current
 * version (and refuse version fields); MINOR_VERSION takes the given or recommended minor of the
 * current major; MAJOR_VERSION the given or recommended higher major and its minor. DRAFT
 * versions are allowed only when named explicitly by an admin.
 */
export function resolveTargetVersion(
  type: DeploymentUpdateType,
  current: { major: number; minor: number },
  requested: { major?: number | undefined; minor?: number | undefined },
  versions: readonly VersionRef[],
  allowDraft: boolean,
): TargetVersion {
  const explicit = requested.major !== undefined || requested.minor !== undefined;
  if (type === 'NONE' || type === 'CURRENT_VERSION') {
    if (explicit)
      return {
        error: `templateMajorVersion and templateMinorVersion cannot be given with deploymentType ${type}; use MINOR_VERSION or MAJOR_VERSION to change version`,
      };
    return current;
  }
  if (type === 'MINOR_VERSION') {
    if (requested.major !== undefined && requested.major !== current.major) {
      return {
        error: `MINOR_VERSION stays within major version ${current.major}; use MAJOR_VERSION to move to major version ${requested.major}`,
      };
    }
    const minor = requested.minor ?? recommendedMinorVersion(versions, current.major);
    if (minor === undefined)
      return {
        error: `major version ${current.major} has no published minor version to update to`,
      };
    if (!usable(versions, current.major, minor, allowDraft && requested.minor !== undefined)) {
      return { error: `version ${current.major}.${minor} does not exist or is not published` };
    }
    return { major: current.major, minor };
  }
  const major = requested.major ?? recommendedVersion(versions)?.major;
  if (major === undefined) return { error: 'the template has no published version to update to' };
  if (major <= current.major && requested.major !== undefined) {
    return {
      error: `MAJOR_VERSION must move to a higher major version than ${current.major}; use MINOR_VERSION within a major`,
    };
  }
  if (major === current.major)
    return {
      error: `version ${current.major} is already the recommended major version; use MINOR_VERSION`,
    };
  const minor = requested.minor ?? recommendedMinorVersion(versions, major);
  if (minor === undefined)
    return { error: `major version ${major} has no published minor version` };
  if (!usable(versions, major, minor, allowDraft && requested.major !== undefined)) {
    return { error: `version ${major}.${minor} does not exist or is not published` };
  }
  return { major, minor };
}
