// Types of chromium.mjs for playwright.config.ts (the scripts are plain JavaScript).
export declare const chromiumPath: string;
export declare const chromiumArgs: string[];
export declare function rendererRss(rootPid: number): number;
