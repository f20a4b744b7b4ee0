// The commands a rollout's tasks run (ctx.exec): each in its own process group,
// recorded in the database while it runs (so an instance that takes over on the
// same host can kill what a dead one left behind), and tracked so that a term
// can wait until every one of them has exited.
import type { Db } from "../store/db";
import { orphanGroups, registerProcess, unregisterProcess } from "../store/processes";
import { execCommand, signalGroup, type ExecOptions, type ExecResult } from "./exec";
import { UnderWay } from "./waiting";

export class Commands {
  private readonly underWay = new UnderWay();

  constructor(
    private readonly db: Db,
    private readonly where: { host: string; instanceId: string; rolloutId: number },
  ) {}

  /** Commands running now. */
  get size(): number {
    return this.underWay.size;
  }

  /** Resolves once every command started so far (and any started meanwhile) has exited. */
  settled(): Promise<void> {
    return this.underWay.settled();
  }

  run(taskId: number, command: string[], options: ExecOptions, log: (line: string) => void, term: AbortSignal): Promise<ExecResult> {
    return this.underWay.add(this.exec(taskId, command, options, log, term));
  }

  private async exec(taskId: number, command: string[], options: ExecOptions, log: (line: string) => void, term: AbortSignal) {
    log(`$ ${command.join(" ")}`);
    let registered: Promise<void> | undefined;
    let pgid: number | undefined;
    const onSpawn = (pid: number) => {
      pgid = pid;
      registered = registerProcess(this.db, { pgid, ...this.where, taskId });
    };
    try {
      return await execCommand(command, options, { log, term, onSpawn });
    } finally {
      await registered?.catch(() => {});
      if (pgid !== undefined) await unregisterProcess(this.db, this.where.host, pgid).catch(() => {});
    }
  }
}

/** Kills the process groups of a rollout that another instance on this host left behind. Returns how many. */
export async function killOrphans(db: Db, rolloutId: number, host: string, exceptInstance: string): Promise<number> {
  const groups = await orphanGroups(db, rolloutId, host, exceptInstance);
  for (const pgid of groups) {
    signalGroup(pgid, "SIGKILL");
    await unregisterProcess(db, host, pgid);
  }
  return groups.length;
}
