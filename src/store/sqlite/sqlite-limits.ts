/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER (32766) with some headroom, for multi-row inserts. */
export const SQLITE_MAX_PARAMETERS = 32_000;
