// Column shapes shared by every table: numeric, bigint ids, JSON, timestamps, hours.
import type { ColumnType } from 'kysely';

/** numeric columns arrive as strings (exact); write numbers or strings. */
export type Numeric = ColumnType<string, number | string, number | string>;
export type NumericOrNull = ColumnType<string | null, number | string | null, number | string | null>;
export type NumericWithDefault = ColumnType<string, number | string | undefined, number | string>;

/** bigint identity: read as a string, never written. */
export type BigIntId = ColumnType<string, never, never>;
export type JsonWithDefault<T> = ColumnType<T, string | undefined, string>;
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T> = ColumnType<T, string, string>;

export interface DayHours {
  start: string;
  end: string;
}

export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
export type OperatingHours = Partial<Record<Weekday, DayHours>>;

/** A generated column: read, never written. */
export type GeneratedColumn<T> = ColumnType<T, never, never>;
