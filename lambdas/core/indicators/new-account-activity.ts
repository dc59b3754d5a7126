import { IndicatorId } from '../constants';
import { globToRegExp } from '../instance-types';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids } from './util';

const DAY = 86_400_000;

export const newAccountActivity: IndicatorDefinition = {
  id: IndicatorId.NEW_ACCOUNT_ACTIVITY,
  title: 'New or sandbox account',
  threshold: (s) => `joined within ${s.accounts.newDays} days, or an OU matching ${s.accounts.sandboxOus.join(', ') || '(none)'}`,
  kind: 'context',
  evaluate(group, { settings, enrichment }) {
    const account = enrichment?.account;
    if (!account) return notApplicable('no account context (the workflow reads it from Organizations; a hunt has none)');
    const acquired = group.events.filter((e) => e.facts.outcome === 'succeeded' && (e.facts.launch || e.facts.address));
    if (acquired.length === 0) return quiet('nothing was acquired');
    const reasons: string[] = [];
    const first = Math.min(...acquired.map((e) => e.event.time));
    const joined = account.joinedAt ? Date.parse(account.joinedAt) : Number.NaN;
    if (Number.isFinite(joined) && first - joined < settings.accounts.newDays * DAY) {
      reasons.push(`joined the organisation ${account.joinedAt!.slice(0, 10)}, ${Math.max(0, Math.floor((first - joined) / DAY))} day(s) before this activity`);
    }
    const sandbox = account.ouPath.find((ou) => settings.accounts.sandboxOus.some((p) => globToRegExp(p, 'i').test(ou)));
    if (sandbox) reasons.push(`is in the sandbox OU ${sandbox} (${account.ouPath.join(' / ')})`);
    const who = `${account.id}${account.name ? ` (${account.name})` : ''}`;
    if (reasons.length === 0) return quiet(`${who} joined ${account.joinedAt?.slice(0, 10) ?? 'at an unknown date'}, OU ${account.ouPath.join(' / ') || 'unknown'}`);
    const launched = acquired.reduce((n, e) => n + (e.facts.launch?.instanceIds.length ?? 0), 0);
    return fired(`account ${who} ${reasons.join(' and ')}; ${launched} instance(s) launched here`, ids(acquired), {
      accountId: account.id,
      ...(account.joinedAt ? { joinedAt: account.joinedAt } : {}),
      ...(sandbox ? { sandboxOu: sandbox } : {}),
    });
  },
};
