/** Types of copy-public-assets.mjs (plain Node so that `postinstall` needs no TypeScript). */
export interface PublicAsset {
  readonly from: string;
  readonly to: string;
  readonly include: (name: string) => boolean;
  readonly recursive: boolean;
}
export declare const PUBLIC_ASSETS: readonly PublicAsset[];
export declare function copyPublicAssets(root: string): { copied: number; unchanged: number };
