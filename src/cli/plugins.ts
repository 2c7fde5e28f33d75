/** `hazardsim plugins`: every plug-in a scenario can name, by kind, with what it declares (summary, columns it reads, channels, cost). */
import type { PluginSet } from '../plugin/index.js';

export interface PluginListing {
  hazards: { type: string; category: string; summary: string; reads: readonly string[] }[];
  detectors: { type: string; channel: string; summary: string; reads: readonly string[] }[];
  servers: { type: string; channels: readonly string[]; summary: string }[];
}

/** What the plug-in set declares, as plain data. */
export function listPlugins(p: PluginSet): PluginListing {
  return {
    hazards: Object.values(p.hazards).map((h) => ({ type: h.type, category: h.category, summary: h.summary, reads: h.reads })),
    detectors: Object.values(p.detectors).map((d) => ({ type: d.type, channel: d.channel ?? 'shaking', summary: d.summary, reads: d.reads })),
    servers: Object.values(p.servers).map((s) => ({ type: s.type, channels: s.channels ?? ['shaking'], summary: s.summary })),
  };
}

export function pluginsCommand(p: PluginSet, o: { json?: boolean }): number {
  const l = listPlugins(p);
  if (o.json) {
    process.stdout.write(JSON.stringify(l, null, 2) + '\n');
    return 0;
  }
  const w = (s: string) => process.stdout.write(s + '\n');
  w('hazards (hazards[].type):');
  for (const h of l.hazards) w(`  ${h.type.padEnd(18)} ${h.category.padEnd(9)} ${h.summary}`);
  w('detectors (detector.type; a phone profile may name its own):');
  for (const d of l.detectors) w(`  ${d.type.padEnd(18)} ${d.channel.padEnd(9)} ${d.summary}${d.reads.length ? ` [reads ${d.reads.join(', ')}]` : ''}`);
  w('servers (server.type; a list runs several):');
  for (const s of l.servers) w(`  ${s.type.padEnd(18)} ${s.channels.join(',').padEnd(9)} ${s.summary}`);
  return 0;
}
