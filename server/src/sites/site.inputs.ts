import { ArgsType, Field, Float, InputType, Int } from 'type-graphql';
import { AuthConfigInput } from '../auth/graphql-types.js';
import { AuthMethod } from '../auth/types.js';
import { SiteStatus } from './site.entity.js';
import { StaticHeaderInput } from './static-headers.js';

@InputType('PerformanceInput')
export class PerformanceInput {
  @Field(() => Float, { nullable: true, description: '0.1–10,000; default 10.' }) maxRps?: number | null;
  @Field(() => Int, { nullable: true, description: '1–256; default 4.' }) threads?: number | null;
}

@InputType('SiteInput')
export class SiteInput {
  @Field(() => String) name!: string;
  @Field(() => String) url!: string;
  @Field(() => String, { nullable: true, description: 'Default application/json.' }) contentType?: string | null;
  @Field(() => PerformanceInput, { nullable: true }) performance?: PerformanceInput | null;
  @Field(() => Boolean, { nullable: true, description: 'Send a W3C traceparent header to the receiver (while tracing is on). Default false.' }) sendTraceparent?: boolean | null;
  @Field(() => AuthConfigInput) auth!: AuthConfigInput;
  @Field(() => [StaticHeaderInput], { nullable: true, description: 'Headers sent on every request to the site (at most 50, 8 KB in all). Default none.' })
  headers?: StaticHeaderInput[] | null;
}

@InputType('SiteUpdateInput', {
  description:
    'Omitted fields keep their value. An auth member for the same method updates only the fields it sets; omitted secrets are kept. A member for another method replaces the config.',
})
export class SiteUpdateInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => String, { nullable: true }) contentType?: string | null;
  @Field(() => PerformanceInput, { nullable: true }) performance?: PerformanceInput | null;
  @Field(() => Boolean, { nullable: true }) sendTraceparent?: boolean | null;
  @Field(() => AuthConfigInput, { nullable: true }) auth?: AuthConfigInput | null;
  @Field(() => [StaticHeaderInput], {
    nullable: true,
    description: 'Replaces the static headers; omit to keep them, [] to remove them all. A secret header without a value keeps the stored secret of that name.',
  })
  headers?: StaticHeaderInput[] | null;
}

@ArgsType()
export class SitesArgs {
  @Field(() => SiteStatus, { nullable: true }) status?: SiteStatus | null;
  @Field(() => AuthMethod, { nullable: true }) authMethod?: AuthMethod | null;
  @Field(() => String, { nullable: true, description: 'Matches name or URL, case-insensitive.' }) search?: string | null;
  @Field(() => Int, { nullable: true, description: '1–100; default 20.' }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}

