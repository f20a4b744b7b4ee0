export declare const MANIFEST_FILE: string;
export declare function rolloutsFingerprint(projectDir: string): Record<string, string>;
export declare function writeRolloutsManifest(projectDir: string, distDir: string): void;
export declare function compareWithBuild(
  projectDir: string,
  distDir: string,
): { missing: boolean; added: string[]; removed: string[]; changed: string[] } | null;
