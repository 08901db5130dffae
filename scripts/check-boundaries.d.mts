export declare const layers: Readonly<Record<string, number>>;
export declare const devOnly: ReadonlySet<string>;
export declare function checkWorkspace(root: string): string[];
