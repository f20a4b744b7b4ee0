// The current user for server components (pages and the layout).
import { headers } from "next/headers";
import { database } from "@/lib/kettle/operations";
import { identify, isIdentified, meOf, PATH_HEADER, type Anonymous, type Identity, type Me } from "@/lib/auth/identity";
import { settings } from "@/lib/kettle/settings";

export async function currentIdentity(): Promise<Identity | Anonymous> {
  const h = await headers(); // first: it makes the page dynamic, so the build never reads the settings
  return identify(await database(), h);
}

export async function currentMe(): Promise<Me | null> {
  const id = await currentIdentity();
  return isIdentified(id) ? meOf(id) : null;
}

/** The page's path without the base path, as server.ts saw it. */
export async function currentPath(): Promise<string> {
  const raw = (await headers()).get(PATH_HEADER) ?? "/";
  const base = settings().basePath;
  return base && raw.startsWith(base) ? raw.slice(base.length) || "/" : raw;
}
