/** The built CLI's path when no source it was built from changed since; else undefined. */
export declare function freshBundle(root: string): string | undefined;
