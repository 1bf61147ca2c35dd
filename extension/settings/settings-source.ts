// Reads the memcloud.* settings from VS Code (only values someone set), reports bad values once,
// and tells its owner what a change asks for.

import * as vscode from 'vscode';
import { SETTINGS_SECTION, Settings, type SettingName } from '../constants';
import { notify } from '../ui/safe-ui';
import { classifyChange, describeProblems, parseSettings, type NodeSettings, type ParsedSettings, type RawSettings, type SettingsChange } from './settings';

/** Settings a workspace may set; the others describe this machine's node and come from user settings only. */
const WORKSPACE_SETTABLE: ReadonlySet<SettingName> = new Set([Settings.autoStart]);

export function readRawSettings(): RawSettings {
  const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const raw: Partial<Record<SettingName, unknown>> = {};
  for (const name of Object.values(Settings)) {
    const i = cfg.inspect(name);
    if (!i) continue;
    const value = WORKSPACE_SETTABLE.has(name) ? (i.workspaceFolderValue ?? i.workspaceValue ?? i.globalValue) : i.globalValue;
    if (value !== undefined) raw[name] = value;
  }
  return raw;
}

export class SettingsSource implements vscode.Disposable {
  private parsed: ParsedSettings;
  private lastProblems = '';
  private readonly subscription: vscode.Disposable;

  constructor(private readonly onChange: (change: SettingsChange, before: NodeSettings, after: NodeSettings) => void) {
    this.parsed = parseSettings(readRawSettings());
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
      const before = this.parsed.settings;
      this.parsed = parseSettings(readRawSettings());
      this.reportProblems();
      this.onChange(classifyChange(before, this.parsed.settings), before, this.parsed.settings);
    });
  }

  get current(): NodeSettings {
    return this.parsed.settings;
  }

  /** Shows bad values once per distinct set of problems. */
  reportProblems(): void {
    const text = describeProblems(this.parsed.problems);
    if (text === this.lastProblems) return;
    this.lastProblems = text;
    if (text === '') return;
    void notify('warning', `MemCloud ignores invalid settings and uses their defaults: ${text}.`, 'Open Settings').then((picked) => picked && vscode.commands.executeCommand('workbench.action.openSettings', SETTINGS_SECTION));
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
