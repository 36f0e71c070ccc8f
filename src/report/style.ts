// The colour seam: renderers take a Style and never decide about terminals.

export type Tone = 'add' | 'remove' | 'change' | 'warn' | 'error' | 'strong' | 'faint';

export type Style = (tone: Tone, text: string) => string;

/** No colour: the text as it is. */
export const plain: Style = (_tone, text) => text;
