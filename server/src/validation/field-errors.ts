/** One problem with one field of an input, as `extensions.fieldErrors` carries it (docs/design.md rule 9). */
export interface FieldError {
  /** Dotted path from the mutation's input, e.g. `auth.jwt.timeToLive`. */
  path: string;
  message: string;
}

/** Collects field errors under a path prefix; the resolver throws them together as one BAD_USER_INPUT. */
export class FieldErrors {
  readonly list: FieldError[] = [];
  constructor(private readonly prefix = '') {}

  at(prefix: string): FieldErrors {
    const child = new FieldErrors(this.join(prefix));
    // Children share the parent's list so every error ends up in one place.
    (child as { list: FieldError[] }).list = this.list;
    return child;
  }

  add(field: string, message: string): void {
    this.list.push({ path: this.join(field), message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  private join(field: string): string {
    return this.prefix ? (field ? `${this.prefix}.${field}` : this.prefix) : field;
  }
}
