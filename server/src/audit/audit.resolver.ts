import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { connectionOf } from '../graphql/connection.js';
import { MAX_CURSOR_LENGTH, checkTextLengths } from '../http/text-limits.js';
import { AuditEventConnection, AuditEventsArgs } from './audit.types.js';

@Resolver()
export class AuditResolver {
  @Authorized('ADMIN')
  @Query(() => AuditEventConnection, { description: 'Changes made through the API, newest first; filter by site, API token, operation and time (ADMIN).' })
  async auditEvents(@Args(() => AuditEventsArgs) args: AuditEventsArgs, @Ctx() { services }: Context): Promise<AuditEventConnection> {
    checkTextLengths(['after', args.after, MAX_CURSOR_LENGTH]);
    const page = await services.audit.list(args);
    return connectionOf(page.events, page.cursorOf, page.hasNextPage, page.totalCount);
  }
}
