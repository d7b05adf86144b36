// `waf`: the one command-line entry point of workload-waf. Each subcommand lives in cli/commands/.
import { Command } from "commander";

declare const WAF_VERSION: string;

const program = new Command()
  .name("waf")
  .description("workload-waf: a WebAssembly WAF for Envoy that runs the OWASP Core Rule Set in-process")
  .version(typeof WAF_VERSION === "string" ? WAF_VERSION : "dev")
  .showHelpAfterError();

await program.parseAsync(process.argv);
