/** The compact form of a Smithy/botocore shape that the generator emits. */
export interface ModelShape {
  type:
    | 'structure'
    | 'union'
    | 'list'
    | 'string'
    | 'integer'
    | 'long'
    | 'boolean'
    | 'timestamp'
    | 'double'
    | 'blob';
  members?: Record<string, { shape: string; idempotencyToken?: true }>;
  required?: string[];
  member?: string;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  exception?: boolean;
}

export interface ModelOperation {
  input: string | null;
  output: string | null;
  errors: string[];
  idempotent: boolean;
  paginated?: { resultKey: string; limitKey: string | null };
}
