/**
 * Reads a scenario file: YAML → `--set` overrides → schema validation → referenced files resolved
 * relative to the scenario and validated → a resolved scenario with a content hash.
 * Every problem becomes an InputError naming the file, the field path and what was expected.
 */
import { detectorHash, profileHash, readResponseCurves, responseFileName, type ResponseCurves } from '../detect/response-curves.js';
import { CALIBRATION_DIR } from '../server/calibration.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDocument, parse as parseYamlValue, type YAMLError } from 'yaml';
import type * as z from 'zod';
import { InputError, formatPath, describeValue, type InputProblem } from '../core/errors.js';
import { canonicalJson, sha256 } from '../core/canonical.js';
import { issuesToProblems } from '../plugin/issues.js';
import { scenarioSchema, serversOf, type ScenarioConfig, type PluginConfig } from './schema.js';
import { phoneProfileSchema, type PhoneProfile } from '../sensors/profile.js';
import { behaviourProfileSchema, type BehaviourProfile } from '../population/behaviour.js';
import { readLatencyTable } from '../network/latency.js';
import type { PluginSet, ResolvedDetector } from '../plugin/index.js';
import { displayPath } from '../core/paths.js';

export { displayPath };

/** Reads a YAML file into a plain value; syntax errors name the line and column. */
/** Largest scenario or profile file read, bytes: such files are a page of settings; data lives in its own files. */
export const MAX_YAML_BYTES = 4 * 1024 * 1024;

export function readYaml(file: string): unknown {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_YAML_BYTES) throw new InputError(displayPath(file), `the file is ${(size / 1048576).toFixed(1)} MB; scenario and profile files are limited to ${MAX_YAML_BYTES / 1048576} MB (worlds, records and models go in their own files)`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(displayPath(file), code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? (err as Error).message})`);
  }
  return parseYamlText(text, displayPath(file));
}

export function parseYamlText(text: string, name: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const lines = text.split(/\r?\n/);
    throw new InputError(name, doc.errors.map((e: YAMLError) => {
      const pos = e.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : '';
      // A repeated key: say which one (the parser gives only its place).
      if (e.code === 'DUPLICATE_KEY' && pos) {
        const key = (lines[pos.line - 1] ?? '').slice(pos.col - 1).split(':')[0]!.trim();
        return { path: where, message: `YAML syntax error: the key "${key}" appears twice in the same mapping` };
      }
      return { path: where, message: `YAML syntax error: ${e.message.split('\n')[0]}` };
    }));
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    // Aliases that expand without bound (a "billion laughs" file) stop here, not in memory.
    throw new InputError(name, `YAML: ${(err as Error).message.split('\n')[0]} (aliases expand to over 1,000 nodes)`);
  }
}

/** Parses a `--set` path such as `hazards.0.magnitude` or `hazards[0].magnitude`. */
export function parseSetPath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const raw of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (raw === '') throw new Error(`empty segment in "${path}"`);
    parts.push(/^\d+$/.test(raw) ? Number(raw) : raw);
  }
  return parts;
}

/**
 * Applies `path=value` overrides to a parsed scenario. Values are parsed as YAML (`7` is a number,
 * `true` a boolean, `[1, 2]` a list). Missing intermediate objects are created (the schema then
 * rejects keys that do not exist); indexes must refer to existing list entries or the next one.
 */
export function applyOverrides(doc: unknown, overrides: readonly string[], file: string): unknown {
  const root = doc;
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new InputError('--set', { path: '', message: `expected path=value, found ${JSON.stringify(o)}` });
    const pathText = o.slice(0, eq).trim();
    let path: (string | number)[];
    try {
      path = parseSetPath(pathText);
    } catch (err) {
      throw new InputError('--set', { path: pathText, message: (err as Error).message });
    }
    let value: unknown;
    try {
      value = parseYamlValue(o.slice(eq + 1));
    } catch (err) {
      throw new InputError('--set', { path: pathText, message: `the value ${JSON.stringify(o.slice(eq + 1))} is not valid YAML: ${(err as Error).message.split('\n')[0]}` });
    }
    let node: any = root;
    for (let i = 0; i < path.length; i++) {
      const key = path[i]!;
      const last = i === path.length - 1;
      if (node === null || typeof node !== 'object') {
        throw new InputError(file, { path: formatPath(path.slice(0, i)), message: `--set ${pathText}: cannot set a field inside ${describeValue(node)}` });
      }
      if (Array.isArray(node)) {
        if (typeof key !== 'number' || key > node.length) {
          throw new InputError(file, { path: formatPath(path.slice(0, i + 1)), message: `--set ${pathText}: expected an index from 0 to ${node.length} in a list of ${node.length}` });
        }
      }
      if (last) node[key] = value;
      else {
        if (node[key] === undefined) node[key] = typeof path[i + 1] === 'number' ? [] : {};
        node = node[key];
      }
    }
  }
  return root;
}

export interface ResolvedFile {
  /** Field that names it, e.g. `population.phones[0].profile`. */
  field: string;
  /** Absolute path. */
  path: string;
  sha256: string;
}

export interface ResolvedScenario {
  /** Scenario file as given (for messages). */
  file: string;
  /** Absolute directory of the scenario file. */
  dir: string;
  config: ScenarioConfig;
  /** Absolute path of the world file. */
  worldFile: string;
  phones: PhoneProfile[];
  behaviours: BehaviourProfile[];
  files: ResolvedFile[];
  /** sha256 of the canonical resolved scenario (config + content hashes of referenced files). */
  hash: string;
  /** Overrides applied on top of the file. */
  overrides: string[];
  /** Options outside a model's fitted range, and the like. */
  warnings: string[];
  /** Absolute paths of files hazards name, by field (e.g. `hazards[0].record`). */
  hazardFiles: Record<string, string>;
  /** Venue groups with the indices of their profiles in `phones` and `behaviours`. */
  groups: { venue: string; devices: number; phone: number; behaviour: number }[];
  /** Detectors: the scenario's (first), then those phone profiles or groups name, with their models. */
  detectors: ResolvedDetector[];
  /** Index into `detectors` of each entry of `phones`. */
  phoneDetector: number[];
  /** A staged rollout's candidate: its index into `detectors` and the phone profiles (indices into `phones`) eligible for it. */
  candidate?: { detector: number; phones: number[] };
  /** Trigger fidelity: the response curves of the scenario's detector and phone profiles. */
  responses?: ResponseCurves;
  /** Empirical latency tables of the uplink and push links (sorted seconds), when they use one. */
  latencyTables: { uplink?: Float64Array; push?: Float64Array };
}

function resolveFile(scenarioFile: string, dir: string, field: string, ref: string): string {
  const abs = resolve(dir, ref);
  try {
    if (!statSync(abs).isFile()) throw new Error('not a file');
  } catch {
    throw new InputError(displayPath(scenarioFile), { path: field, message: `file not found: ${JSON.stringify(ref)} (looked for ${displayPath(abs)}; paths are relative to the scenario file)` });
  }
  return abs;
}

function validate<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value, { reportInput: true });
  if (!r.success) throw new InputError(file, issuesToProblems(r.error.issues, schema, value));
  return r.data;
}

/** Loads and validates a phone profile file. */
export function loadPhoneProfile(file: string): PhoneProfile {
  return validate(phoneProfileSchema, readYaml(file), displayPath(file));
}

/** Loads and validates a behaviour profile file. */
export function loadBehaviourProfile(file: string): BehaviourProfile {
  return validate(behaviourProfileSchema, readYaml(file), displayPath(file));
}

/** Loads, overrides, validates and resolves a scenario file. */
export function loadScenario(file: string, options: {
  plugins: PluginSet;
  overrides?: readonly string[];
  seed?: number;
  /**
   * A hazard that begins at or after the run's end: an error (default: a run would score it as
   * missed), or a warning where leaving it out is a reasonable intent (a dataset cut short).
   */
  lateHazards?: 'error' | 'warn';
}): ResolvedScenario {
  const { hazards: HAZARDS, detectors: DETECTORS, servers: CONSENSUS } = options.plugins;
  const abs = resolve(file);
  const shown = displayPath(abs);
  const raw = readYaml(abs);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(shown, `expected a mapping of scenario keys (name, duration, world, ...), found ${describeValue(raw)}`);
  }
  const overrides = [...(options.overrides ?? [])];
  if (options.seed !== undefined) overrides.push(`seed=${options.seed}`);
  applyOverrides(raw, overrides, shown);
  const schema = scenarioSchema(options.plugins);
  const r = schema.safeParse(raw, { reportInput: true });
  if (!r.success) {
    const problems: InputProblem[] = issuesToProblems(r.error.issues, schema, raw);
    throw new InputError(shown, problems);
  }
  const config = r.data as ScenarioConfig;
  const dir = dirname(abs);
  const files: ResolvedFile[] = [];
  const track = (field: string, ref: string) => {
    const p = resolveFile(shown, dir, field, ref);
    files.push({ field, path: p, sha256: sha256(readFileSync(p)) });
    return p;
  };
  const worldFile = track('world', config.world);
  const phones = config.population.phones.map((m, i) => loadPhoneProfile(track(`population.phones[${i}].profile`, m.profile)));
  const behaviours = config.population.behaviours.map((m, i) => loadBehaviourProfile(track(`population.behaviours[${i}].profile`, m.profile)));
  const groups = config.population.groups.map((g, i) => {
    phones.push(loadPhoneProfile(track(`population.groups[${i}].phone`, g.phone)));
    behaviours.push(loadBehaviourProfile(track(`population.groups[${i}].behaviour`, g.behaviour)));
    return { venue: g.venue, devices: g.devices, phone: phones.length - 1, behaviour: behaviours.length - 1 };
  });
  // Detectors: the scenario's, and any a phone profile or venue group names instead.
  const detectors: ResolvedDetector[] = [];
  const addDetector = (cfg: PluginConfig, field: string): number => {
    const plugin = DETECTORS[cfg.type]!;
    const det: ResolvedDetector = { config: cfg, field };
    if (plugin.files) {
      const abs: Record<string, string> = {};
      for (const f of plugin.files(cfg)) abs[f.field] = track(`${field}.${f.field}`, f.path);
      Object.assign(det, plugin.prepare?.(cfg, abs, { file: shown, field }) ?? {});
    }
    detectors.push(det);
    return detectors.length - 1;
  };
  addDetector(config.detector, 'detector');
  // Measured latency tables.
  const latencyTables: ResolvedScenario['latencyTables'] = {};
  for (const link of ['uplink', 'push'] as const) {
    const l = config.network[link].latency;
    if (l.distribution === 'empirical') latencyTables[link] = readLatencyTable(track(`network.${link}.latency.file`, l.file));
  }
  const phoneDetector = [
    ...config.population.phones.map((m, i) => (m.detector ? addDetector(m.detector as PluginConfig, `population.phones[${i}].detector`) : 0)),
    ...config.population.groups.map((g, i) => (g.detector ? addDetector(g.detector as PluginConfig, `population.groups[${i}].detector`) : 0)),
  ];
  const candidate = fleetDetectors(shown, config, phones, addDetector);
  if (phones.length > 255 || behaviours.length > 255) throw new InputError(shown, { path: 'population', message: 'expected at most 255 phone and 255 behaviour profiles in all' });
  const hazardFiles: Record<string, string> = {};
  const warnings: string[] = [];
  config.hazards.forEach((h, i) => {
    const plugin = HAZARDS[h.type]!;
    for (const f of plugin.files?.(h) ?? []) hazardFiles[`hazards[${i}].${f.field}`] = track(`hazards[${i}].${f.field}`, f.path);
    warnings.push(...(plugin.warnings?.(h, `hazards[${i}]`) ?? []));
    // A hazard that begins at or after the end would be scored as missed though nobody could see it.
    for (const s of plugin.starts?.(h) ?? []) {
      if (s.at < config.duration) continue;
      const message = `begins at ${s.at} s, at or after the end of the run (duration ${config.duration} s): nothing could observe it`;
      if (options.lateHazards === 'warn') warnings.push(`hazards[${i}].${s.field}: ${message}; it is left out`);
      else throw new InputError(shown, { path: `hazards[${i}].${s.field}`, message: `${message}; lengthen the duration or move it earlier` });
    }
  });
  // Consensus servers: their files (a calibration) are resolved, hashed and read into their configuration.
  const prepared = serversOf(config).map((sv, i) => {
    const plugin = CONSENSUS[sv.type]!;
    const field = Array.isArray(config.server) ? `server[${i}]` : 'server';
    if (!plugin.files) return sv;
    const abs: Record<string, string> = {};
    for (const f of plugin.files(sv)) abs[f.field] = track(`${field}.${f.field}`, f.path);
    return plugin.prepare?.(sv, abs, { file: shown, field }) ?? sv;
  });
  config.server = Array.isArray(config.server) ? prepared : prepared[0]!;
  prepared.forEach((sv, i) => warnings.push(...(CONSENSUS[sv.type]!.warnings?.(sv, { heartbeatEvery: config.network.heartbeat_every, where: Array.isArray(config.server) ? `server[${i}]` : 'server' }) ?? [])));
  // A detector whose triggers no server listens to is almost always a mistake (a bump detector
  // under an earthquake server): say so.
  const servers = serversOf(config);
  for (const i of new Set(phoneDetector)) {
    const type = detectors[i]!.config.type, channel = DETECTORS[type]!.channel ?? 'shaking';
    if (servers.some((sv) => (CONSENSUS[sv.type]!.channels ?? ['shaking']).includes(channel))) continue;
    const want = Object.values(CONSENSUS).filter((c) => (c.channels ?? ['shaking']).includes(channel)).map((c) => c.type);
    warnings.push(`detector "${type}" sends ${channel} triggers but no server listens to them (server: ${servers.map((sv) => sv.type).join(', ')}); add a server of type ${want.join(' or ')}`);
  }
  const responses = config.fidelity === 'trigger' ? triggerFidelityCurves({ shown, config, detectors, phones, HAZARDS, track }) : undefined;
  const hash = sha256(canonicalJson({ config, files: files.map((f) => ({ field: f.field, sha256: f.sha256 })) }));
  return { file: shown, dir, config, worldFile, phones, behaviours, files, hash, overrides, warnings, hazardFiles, groups, detectors, phoneDetector, candidate, latencyTables, responses };
}

/**
 * The fleet section's checks (signal fidelity, phone profile names) and the rollout's candidate
 * detector, added to the scenario's detectors.
 */
function fleetDetectors(shown: string, config: ScenarioConfig, phones: PhoneProfile[], addDetector: (cfg: PluginConfig, field: string) => number): ResolvedScenario['candidate'] {
  const fleet = config.fleet;
  if (!fleet) return undefined;
  if (config.fidelity !== 'signal') throw new InputError(shown, { path: 'fleet', message: 'expected signal fidelity: telemetry, firmware updates and rollouts work on sensor samples, which trigger fidelity does not render' });
  const names = phones.map((p) => p.name);
  const known = (list: string[] | undefined, field: string) => list?.forEach((nm, j) => {
    if (!names.includes(nm)) throw new InputError(shown, { path: `${field}[${j}]`, message: `expected the name of a phone profile of the population (${names.map((x) => JSON.stringify(x)).join(', ')}), found ${JSON.stringify(nm)}` });
  });
  fleet.updates.forEach((u, i) => known(u.phones, `fleet.updates[${i}].phones`));
  fleet.arrivals.forEach((a, i) => known(a.phones, `fleet.arrivals[${i}].phones`));
  const r = fleet.rollout;
  if (!r) return undefined;
  known(r.phones, 'fleet.rollout.phones');
  const eligible = phones.flatMap((p, i) => (!r.phones || r.phones.includes(p.name) ? [i] : []));
  return { detector: addDetector(r.candidate as PluginConfig, 'fleet.rollout.candidate'), phones: eligible };
}

/**
 * Trigger fidelity's checks and its response curves: every hazard must support it, one detector
 * for all phones, and curves measured for that detector configuration and every phone profile.
 */
function triggerFidelityCurves(o: {
  shown: string; config: ScenarioConfig; detectors: ResolvedDetector[]; phones: PhoneProfile[];
  HAZARDS: PluginSet['hazards']; track: (field: string, ref: string) => string;
}): ResponseCurves {
  const { shown, config, detectors } = o;
  config.hazards.forEach((h, i) => {
    if (!o.HAZARDS[h.type]!.triggerFidelity) {
      throw new InputError(shown, { path: `hazards[${i}].type`, message: `fidelity: trigger draws earthquake triggers from response curves; a ${h.type} hazard needs fidelity: signal` });
    }
  });
  if (detectors.length > 1) {
    throw new InputError(shown, { path: detectors[1]!.field, message: 'fidelity: trigger expects one detector for all phones (response curves are measured per detector)' });
  }
  const det = detectors[0]!.config;
  const make = `make them with "hazardsim calibrate --responses ${shown}"`;
  let file: string;
  if (config.response_curves !== undefined) file = o.track('response_curves', config.response_curves);
  else {
    const abs = join(CALIBRATION_DIR, responseFileName(det));
    if (!existsSync(abs)) {
      throw new InputError(shown, { path: 'fidelity', message: `no response curves for this detector (${det.type}, configuration hash ${detectorHash(det).slice(0, 12)}) in calibration/responses/; ${make}, or name a file in response_curves` });
    }
    file = o.track('response_curves', abs);
  }
  const curves = readResponseCurves(file, displayPath(file));
  if (curves.detector.hash !== detectorHash(det)) {
    throw new InputError(shown, { path: config.response_curves !== undefined ? 'response_curves' : 'detector', message: `the response curves in ${displayPath(file)} were measured for another detector configuration (${curves.detector.type} ${curves.detector.hash.slice(0, 12)}, this scenario's: ${det.type} ${detectorHash(det).slice(0, 12)}); ${make}` });
  }
  o.phones.forEach((p, i) => {
    if (curves.curves.some((c) => c.profile_hash === profileHash(p as never))) return;
    throw new InputError(shown, { path: i < config.population.phones.length ? `population.phones[${i}].profile` : 'population.groups', message: `the response curves in ${displayPath(file)} have none for phone profile ${p.name} as this scenario has it (measured: ${[...new Set(curves.curves.map((c) => c.profile))].join(', ')}); ${make}` });
  });
  return curves;
}
