import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids, list, succeeded } from './util';

export const newKeyPair: IndicatorDefinition = {
  id: IndicatorId.NEW_KEY_PAIR,
  title: 'New key pair',
  threshold: () => 'any new key pair',
  kind: 'activity',
  evaluate(group) {
    const calls = group.events.filter((e) => e.facts.keyPair !== undefined);
    if (calls.length === 0) return notApplicable('no key pair calls');
    const ok = calls.filter(succeeded);
    if (ok.length === 0) return quiet('key pair calls failed');
    const names = ok.map((e) => e.facts.keyPair!.name);
    const used = new Set(group.events.map((e) => e.facts.launch?.keyName).filter(Boolean));
    const usedNames = names.filter((n) => used.has(n));
    const imported = ok.filter((e) => e.facts.keyPair!.imported).length;
    return fired(
      `${list(names)}${imported ? ` (${imported} imported)` : ''}${usedNames.length ? `; used to launch: ${list(usedNames)}` : ''}`,
      ids(ok),
      { keyPairs: names, usedByLaunch: usedNames },
    );
  },
};
