import { IndicatorId } from '../constants';
import { fired, quiet, type IndicatorDefinition } from '../model';
import { credentialNote, matchApproved } from '../principals';
import { ids, list } from './util';

export const unapprovedPrincipal: IndicatorDefinition = {
  id: IndicatorId.UNAPPROVED_PRINCIPAL,
  title: 'Unapproved principal',
  threshold: (s) => (s.approvedPrincipals.length ? `not matching ${s.approvedPrincipals.length} approvedPrincipals patterns` : 'no approvedPrincipals configured: every caller is unapproved'),
  kind: 'context',
  evaluate(group, { settings }) {
    const direct = group.events.filter((e) => !e.facts.serviceInvoked);
    if (direct.length === 0) {
      const services = [...new Set(group.events.map((e) => e.facts.serviceInvoked!))];
      return quiet(`calls made by ${list(services)} on the account's behalf`);
    }
    const match = matchApproved(group.actor, settings.approvedPrincipals);
    if (match) return quiet(`${match.matched} matches approved pattern ${match.pattern}`);
    const notes: string[] = [];
    const cred = credentialNote(group.actor);
    if (cred) notes.push(cred);
    const firstSeen = direct.some((e) => e.novelty.principalFirstSeen && e.novelty.accountSeenSince !== undefined);
    if (firstSeen) notes.push('never seen acquiring in this account before');
    const basis = settings.approvedPrincipals.length ? `matches none of ${settings.approvedPrincipals.length} approvedPrincipals` : 'no approvedPrincipals configured';
    return fired(`${group.actor.arn} ${basis}${notes.length ? `; ${notes.join('; ')}` : ''}`, ids(direct), {
      arn: group.actor.arn,
      ...(group.actor.issuerArn ? { role: group.actor.issuerArn } : {}),
      longTermCredential: cred !== undefined && !cred.startsWith('IAM user '),
      firstSeen,
    });
  },
};
