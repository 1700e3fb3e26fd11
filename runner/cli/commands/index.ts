/** Every CLI command, each registering itself on the program. Add new commands here. */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [];
