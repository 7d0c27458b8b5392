import type { Channel, Pool, Template, TemplateContent } from '@herald/shared';

export interface TemplateSummary {
  id: string;
  channel: Channel;
  locale: string;
  /** The newest version: the one the router renders. */
  version: number;
}

export interface TemplatesRepo {
  list(): Promise<TemplateSummary[]>;
  /** Every version of a template, newest first per channel and locale. */
  versions(id: string): Promise<Template[]>;
  /** Stores the next version for (id, channel, locale); earlier versions are kept. */
  publish(id: string, channel: Channel, locale: string, content: TemplateContent): Promise<Template>;
  /** Removes every version; false when there was none. */
  remove(id: string): Promise<boolean>;
}

const COLUMNS = `id, channel, locale, version, subject, title, body, html, data, strict,
  from_email AS "fromEmail", from_name AS "fromName", reply_to AS "replyTo"`;

export function pgTemplatesRepo(pool: Pool): TemplatesRepo {
  return {
    async list() {
      const { rows } = await pool.query<TemplateSummary>(
        `SELECT id, channel, locale, max(version) AS version FROM templates
          GROUP BY id, channel, locale ORDER BY id, channel, locale`,
      );
      return rows;
    },
    async versions(id) {
      const { rows } = await pool.query<Template>(
        `SELECT ${COLUMNS} FROM templates WHERE id = $1 ORDER BY channel, locale, version DESC`,
        [id],
      );
      return rows;
    },
    async publish(id, channel, locale, c) {
      // Two publishes at once may pick the same number: the key refuses one, which tries again.
      for (let attempt = 1; ; attempt++) {
        try {
          const { rows } = await pool.query<Template>(
            `INSERT INTO templates (id, channel, locale, version, subject, title, body, html, data, strict,
                                    from_email, from_name, reply_to)
             SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5, $6, $7, $8, $9, $10, $11, $12
               FROM templates WHERE id = $1 AND channel = $2 AND locale = $3
             RETURNING ${COLUMNS}`,
            [
              id,
              channel,
              locale,
              c.subject,
              c.title,
              c.body,
              c.html,
              c.data ? JSON.stringify(c.data) : null,
              c.strict,
              c.fromEmail,
              c.fromName,
              c.replyTo,
            ],
          );
          const row = rows[0];
          if (!row) throw new Error('the insert returned no row');
          return row;
        } catch (err) {
          if ((err as { code?: string }).code !== '23505' || attempt >= 5) throw err;
        }
      }
    },
    async remove(id) {
      const { rowCount } = await pool.query('DELETE FROM templates WHERE id = $1', [id]);
      return (rowCount ?? 0) > 0;
    },
  };
}
