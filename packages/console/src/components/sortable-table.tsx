import { useState, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  label: string;
  render(row: T): ReactNode;
  /** The value to sort by; columns without one are not sortable. */
  sortValue?: (row: T) => string | number;
}

/** A table whose sortable headers are buttons (keyboard and screen-reader friendly). */
export function SortableTable<T>(props: {
  columns: Column<T>[];
  rows: T[];
  rowKey(row: T): string;
  initialSort?: string;
  caption?: string;
  empty?: ReactNode;
}): ReactNode {
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 }>({
    key: props.initialSort ?? props.columns[0]?.key ?? '',
    dir: 1,
  });
  const column = props.columns.find((c) => c.key === sort.key);
  const rows = [...props.rows];
  if (column?.sortValue) {
    const value = column.sortValue;
    rows.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      return (
        (typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x).localeCompare(String(y))) * sort.dir
      );
    });
  }
  if (props.rows.length === 0 && props.empty) return <>{props.empty}</>;
  return (
    <div className="table-wrap">
      <table>
        {props.caption && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                aria-sort={
                  c.key === sort.key && c.sortValue
                    ? sort.dir === 1
                      ? 'ascending'
                      : 'descending'
                    : undefined
                }
              >
                {c.sortValue ? (
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() =>
                      setSort((s) => ({
                        key: c.key,
                        dir: s.key === c.key ? (s.dir === 1 ? -1 : 1) : 1,
                      }))
                    }
                  >
                    {c.label}
                    <span className="sort-mark" aria-hidden="true">
                      {c.key === sort.key ? (sort.dir === 1 ? '▲' : '▼') : '↕'}
                    </span>
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((c) => (
                <td key={c.key}>{c.render(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
