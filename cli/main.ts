// `waf`: the one command-line entry point of workload-waf. Each subcommand lives in cli/commands/.
import { Command } from "commander";
import { checkCommand } from "./commands/check";
import { compileCommand } from "./commands/compile";
import { crsTestCommand } from "./commands/crs-test";
import { disableCommand } from "./commands/disable";
import { enableCommand } from "./commands/enable";
import { rulesetCommand } from "./commands/ruleset";
import { serveCommand } from "./commands/serve";
import { statusCommand } from "./commands/status";

declare const WAF_VERSION: string;

const program = new Command()
  .name("waf")
  .description("workload-waf: a WebAssembly WAF for Envoy that runs the OWASP Core Rule Set in-process")
  .version(typeof WAF_VERSION === "string" ? WAF_VERSION : "dev")
  .showHelpAfterError()
  .addCommand(serveCommand())
  .addCommand(compileCommand())
  .addCommand(checkCommand())
  .addCommand(crsTestCommand())
  .addCommand(enableCommand())
  .addCommand(disableCommand())
  .addCommand(statusCommand())
  .addCommand(rulesetCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Errors at the boundary reach the user as one clear line, not a stack trace.
  process.stderr.write(`waf: ${(err as Error).message}\n`);
  process.exit(1);
}
