// The memcloud.* settings, parsed and validated without vscode (unit-tested). Only values the user
// actually set are passed in: an unset setting leaves the node's config.json or the engine default
// in charge, the same precedence as the CLI's flags.

import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { bool as boolean, int as wholeNumber, literal, rule, SchemaError, str, type Schema } from '../../engine/api/schema';
import { resolveHome } from '../../engine/home/home';
import { deviceNameFromInput } from '../../engine/identity/device-name';
import { CRYPTO_CHOICES, type CryptoChoice } from '../../engine/crypto/backend-name';
import { LOG_LEVELS, OPTION_RANGES, type EngineOptionsInput } from '../../engine/node/engine-options';
import { parseStaticPeer, type StaticPeer } from '../../engine/session/peer-address';
import { parseSize } from '../../engine/store/sizes';
import { Settings, type SettingName } from '../constants';

/** Explicitly set values by setting name (without the `memcloud.` prefix). */
export type RawSettings = Readonly<Partial<Record<SettingName, unknown>>>;

/** Engine options a user can set, home excluded. */
export type NodeEngineSettings = Omit<Partial<EngineOptionsInput>, 'home'>;

export interface NodeSettings {
  /** Absolute: the setting, else $MEMCLOUD_HOME, else ~/.memcloud. */
  readonly home: string;
  /** Start a node in this window when none runs (at startup and when another window's node leaves). */
  readonly autoStart: boolean;
  readonly engine: NodeEngineSettings;
}

export interface SettingProblem {
  readonly setting: SettingName;
  readonly message: string;
}

export interface ParsedSettings {
  readonly settings: NodeSettings;
  /** Bad values, each ignored (its default applies) and reported once. */
  readonly problems: readonly SettingProblem[];
}

class Bad extends Error {}

const CRYPTO: readonly CryptoChoice[] = CRYPTO_CHOICES;

/** A setting's value checked by `schema`; a bad one is told in the rule's words (see api/schema.ts rule). */
function checked<T>(schema: Schema<T>): (v: unknown) => T {
  return (v) => {
    try {
      return schema(v, '');
    } catch (err) {
      if (err instanceof SchemaError) throw new Bad(err.rule ?? err.message);
      throw err;
    }
  };
}

const textValue = checked(rule(str, 'must be text'));
const text = (v: unknown): string => textValue(v).trim();
const bool = checked(rule(boolean, 'must be true or false'));
const int = (v: unknown, min: number, max: number): number =>
  checked(rule(wholeNumber(min, max), (x) => `must be a whole number from ${min} to ${max}, not ${JSON.stringify(x)}`))(v);
const oneOf = <T extends string>(v: unknown, allowed: readonly T[]): T => checked(rule(literal(...allowed), `must be one of ${allowed.join(', ')}`))(v);

function size(v: unknown, minBytes: number): number {
  const bytes = parseSize(typeof v === 'number' ? v : text(v));
  if (bytes < minBytes) throw new Bad(`must be at least ${minBytes} bytes`);
  return bytes;
}

/** A size, or undefined for blank text (the default applies). */
function optionalSize(v: unknown, minBytes: number): number | undefined {
  return typeof v === 'string' && v.trim() === '' ? undefined : size(v, minBytes);
}

function staticPeer(v: unknown, i: number): StaticPeer {
  try {
    return parseStaticPeer(v);
  } catch (err) {
    throw new Bad(`entry ${i + 1}: ${(err as Error).message}`);
  }
}

function homeSetting(v: unknown): string | undefined {
  const t = text(v);
  if (t === '') return undefined;
  if (!isAbsolute(t) && t !== '~' && !t.startsWith('~/') && !t.startsWith('~\\')) {
    throw new Bad(`must be an absolute path (or start with ~/), not "${t}"`);
  }
  return t;
}

/** Parses the explicitly set settings; bad values are reported and left out. */
export function parseSettings(raw: RawSettings, env: NodeJS.ProcessEnv = process.env): ParsedSettings {
  const problems: SettingProblem[] = [];
  const engine: Record<string, unknown> = {};
  let home: string | undefined;
  let autoStart = true;
  const read = <T>(setting: SettingName, parse: (v: unknown) => T, apply: (value: T) => void) => {
    const v = raw[setting];
    if (v === undefined || v === null) return;
    try {
      apply(parse(v));
    } catch (err) {
      problems.push({ setting, message: (err as Error).message });
    }
  };
  const nonEmpty = (v: unknown) => {
    const t = text(v);
    return t === '' ? undefined : t;
  };

  read(Settings.home, homeSetting, (v) => (home = v));
  read(Settings.autoStart, bool, (v) => (autoStart = v));
  read(Settings.nodeName, (v) => {
    const t = nonEmpty(v);
    return t === undefined ? undefined : deviceNameFromInput(t);
  }, (v) => v !== undefined && (engine.name = v));
  read(Settings.listenAddress, (v) => {
    const t = nonEmpty(v);
    if (t !== undefined && isIP(t) === 0 && t !== 'localhost') throw new Bad(`must be an IP address such as 0.0.0.0, 127.0.0.1 or ::, not "${t}"`);
    return t;
  }, (v) => v !== undefined && (engine.host = v));
  read(Settings.port, (v) => int(v, OPTION_RANGES.port.min, OPTION_RANGES.port.max), (v) => (engine.port = v));
  read(Settings.offeredMemory, (v) => optionalSize(v, 0), (v) => v !== undefined && (engine.offeredBytes = v));
  read(Settings.memoryCap, (v) => optionalSize(v, OPTION_RANGES.memoryBytes.min), (v) => v !== undefined && (engine.memoryBytes = v));
  read(Settings.discovery, bool, (v) => (engine.discovery = v));
  read(Settings.replicationFactor, (v) => int(v, OPTION_RANGES.replicas.min, OPTION_RANGES.replicas.max), (v) => (engine.replicas = v));
  const consent = OPTION_RANGES.consentTimeoutMs;
  read(Settings.consentTimeoutSeconds, (v) => int(v, consent.min / 1000, consent.max / 1000), (v) => (engine.consentTimeoutMs = v * 1000));
  read(Settings.staticPeers, (v) => {
    if (!Array.isArray(v)) throw new Bad('must be a list of "HOST:PORT" entries');
    return v.map(staticPeer);
  }, (v) => v.length > 0 && (engine.connect = v));
  read(Settings.crypto, (v) => oneOf(v, CRYPTO), (v) => (engine.crypto = v));
  read(Settings.logLevel, (v) => oneOf(v, LOG_LEVELS), (v) => (engine.logLevel = v));

  const { offeredBytes, memoryBytes } = engine as { offeredBytes?: number; memoryBytes?: number };
  if (offeredBytes !== undefined && memoryBytes !== undefined && memoryBytes < offeredBytes) {
    problems.push({ setting: Settings.memoryCap, message: 'must be at least the offered memory (it caps everything this node keeps, lent RAM included)' });
    delete engine.memoryBytes;
  }
  const resolvedHome = resolveHome(home === undefined ? { env } : { home, env });
  return { settings: { home: resolvedHome, autoStart, engine: engine as NodeEngineSettings }, problems };
}

/** One line per problem, for a notification: `memcloud.port must be ...`. */
export function describeProblems(problems: readonly SettingProblem[]): string {
  return problems.map((p) => `memcloud.${p.setting} ${p.message}`).join('; ');
}

/**
 * The engine options for a node this window starts: config.json in the home, then the settings
 * the user set on top; static peers from both.
 */
export function engineOptionsFor(settings: NodeSettings, fromFile: Partial<EngineOptionsInput>): EngineOptionsInput {
  const connect = [...(fromFile.connect ?? []), ...(settings.engine.connect ?? [])];
  return { ...fromFile, ...settings.engine, home: settings.home, connect };
}

export type SettingsChange = 'none' | 'offer-live' | 'reattach' | 'restart';

/**
 * What a change of settings asks for: a new home means another node (reattach); the offered
 * memory applies live; anything else the engine reads at start needs a restart.
 */
export function classifyChange(before: NodeSettings, after: NodeSettings): SettingsChange {
  if (before.home !== after.home) return 'reattach';
  const { offeredBytes: offerBefore, ...restBefore } = before.engine;
  const { offeredBytes: offerAfter, ...restAfter } = after.engine;
  if (JSON.stringify(sortKeys(restBefore)) !== JSON.stringify(sortKeys(restAfter))) return 'restart';
  if (offerBefore === offerAfter) return 'none';
  // Going back to the default offer needs the engine to work it out again: a restart.
  return offerAfter === undefined ? 'restart' : 'offer-live';
}

function sortKeys(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
