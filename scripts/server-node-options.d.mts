export declare const SERVER_V8_FLAGS: readonly string[];
export declare function serverNodeOptions(existing?: string): string;
