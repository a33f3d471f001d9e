export type { ConsoleSmsSenderOptions } from './console.js';
export { consoleSmsSender } from './console.js';
export type { MemorySmsSender } from './memory.js';
export { memorySmsSender } from './memory.js';
export type { SmsMessage, SmsSender } from './types.js';
