/** What every plug-in declares about itself so the engine can schedule it and people can read it: columns it reads and writes, and its cost. */

export interface PluginDeclaration {
  /** One line for `hazardsim plugins` and the docs. */
  summary: string;
  /**
   * Device-table columns it reads beyond its own (full names, or prefixes ending in "."):
   * for detectors this is enforced (any other column throws); for hazards it documents what truth they use.
   */
  reads: readonly string[];
}
