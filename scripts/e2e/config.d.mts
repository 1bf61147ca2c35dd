// Types for the parts of config.mjs that TypeScript tests import.
export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_ARGS: string[];
