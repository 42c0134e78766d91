import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType('HttpHeader')
export class HttpHeader {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
}

@ObjectType('SignedRequestPreview', { description: 'A request exactly as it is sent once signed, with credentials masked.' })
export class SignedRequestPreview {
  @Field(() => String) method!: string;
  @Field(() => String) url!: string;
  @Field(() => [HttpHeader], { description: 'In the order sent; credentials masked (••••••••).' }) headers!: HttpHeader[];
  @Field(() => String, { description: 'The body as UTF-8, at most 4 KiB.' }) body!: string;
  @Field(() => Int) bodyBytes!: number;
  @Field(() => Boolean) bodyTruncated!: boolean;
}

@ObjectType('SiteTestResult', { description: 'The outcome of one probe request. Nothing of it is stored.' })
export class SiteTestResult {
  @Field(() => Boolean, { description: 'A 2xx answer.' }) ok!: boolean;
  @Field(() => Int, { nullable: true, description: 'Null when no answer came (see error).' }) statusCode!: number | null;
  @Field(() => Float, { description: 'From sending to the end of the (capped) answer, in milliseconds.' }) latencyMs!: number;
  @Field(() => SignedRequestPreview, { nullable: true, description: 'What was sent; null when nothing could be (e.g. no OAuth2 token).' })
  request!: SignedRequestPreview | null;
  @Field(() => [HttpHeader]) responseHeaders!: HttpHeader[];
  @Field(() => String, { nullable: true, description: 'The start of the answer, at most 2 KiB, credentials masked.' }) responseExcerpt!: string | null;
  @Field(() => Boolean) responseTruncated!: boolean;
  @Field(() => String, { nullable: true }) error!: string | null;
}
