import { NextResponse } from "next/server";
import { route, readJson } from "@/lib/web/http";
import { previewRollout } from "@/lib/kettle/operations";
import { badInput } from "@/lib/kettle/errors";

export const dynamic = "force-dynamic";

/** A dry run of finalise: the tree a config would generate; nothing is saved. */
export const POST = route(
  async ({ req }) => {
    const body = await readJson(req);
    if (body.kind !== undefined && typeof body.kind !== "string") throw badInput("kind must be a string such as \"rollout:MyRollout\"");
    if (body.config !== undefined && (typeof body.config !== "object" || body.config === null || Array.isArray(body.config))) {
      throw badInput("config must be a JSON object");
    }
    return NextResponse.json(await previewRollout({ kind: body.kind as string | undefined, config: body.config }));
  },
  { mutation: true, action: "create" }, // previews what creating would make: whoever may create
);
