import type { Command } from "commander";
import { canonicalConfigJson, configHash, formatConfigError, loadConfigFile, type LoadedConfig } from "@mqk/config";
import { CommandFailed, type CliIo } from "../io.js";

function load(file: string): LoadedConfig {
  const loaded = loadConfigFile(file);
  if (!loaded.ok) throw new CommandFailed(formatConfigError(loaded.error));
  return loaded.value;
}

export function registerConfigCommands(program: Command, io: CliIo): void {
  const config = program.command("config").description("validate and inspect a desk configuration file");

  config
    .command("validate")
    .description("check a config file against the schema; exit 1 naming each problem")
    .requiredOption("--config <file>", "path to the YAML config")
    .action((opts: { config: string }) => {
      const { config: c, sourcePath } = load(opts.config);
      io.out(`config ok: ${sourcePath} (mode ${c.mode}, broker ${c.broker.kind}, market data ${c.marketData.provider}) hash ${configHash(c)}`);
    });

  config
    .command("show")
    .description("print the parsed config as canonical JSON (env var names only, never values)")
    .requiredOption("--config <file>", "path to the YAML config")
    .action((opts: { config: string }) => {
      io.out(canonicalConfigJson(load(opts.config).config));
    });

  config
    .command("hash")
    .description("print the sha256 of the canonical JSON of the config")
    .requiredOption("--config <file>", "path to the YAML config")
    .action((opts: { config: string }) => {
      io.out(configHash(load(opts.config).config));
    });
}
