// What the figures were measured on: date, cores, CPU model, Node version, command line.
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

export interface MachineInfo {
  date: string;
  nproc: number;
  cpu: string;
  node: string;
  command: string;
}

export function machineInfo(argv: string[] = process.argv): MachineInfo {
  let nproc = availableParallelism();
  try {
    nproc = Number(execFileSync("nproc", { encoding: "utf8" }).trim()) || nproc;
  } catch {
    // nproc missing: os.availableParallelism() is the same figure
  }
  let cpu = "unknown";
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  const args = argv.slice(1).map((a) => (/^[\w./:=,-]+$/.test(a) ? a : JSON.stringify(a)));
  return { date: new Date().toISOString(), nproc, cpu, node: process.version, command: ["node", ...process.execArgv, ...args].join(" ") };
}
