// Preloaded with --require: writes the process's peak resident memory (KiB) to $PEAK_RSS_FILE on exit.
process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE) require('node:fs').writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
