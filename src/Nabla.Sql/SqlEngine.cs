using System.Data.Common;
using DuckDB.NET.Data;
using Npgsql;

namespace Nabla.Sql;

/// <summary>
/// The engine a fit is pushed down to: the embedded DuckDB (in memory; it reads files itself), or a PostgreSQL server
/// named by a URI, postgres://user:password@host:port/database (Npgsql), where the data already is.
/// </summary>
public static class SqlEngine
{
    /// <summary>An open connection and its dialect for --engine's value: duckdb, or a postgres:// or postgresql:// URI.</summary>
    public static (DbConnection Connection, SqlDialect Dialect) Open(string? engine)
    {
        if (engine is null || engine.Equals("duckdb", StringComparison.OrdinalIgnoreCase))
        {
            var duck = new DuckDBConnection("DataSource=:memory:");
            duck.Open();
            return (duck, SqlDialect.DuckDb);
        }
        if (engine.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || engine.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            var pg = new NpgsqlConnection(PostgresConnectionString(engine));
            try { pg.Open(); }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                pg.Dispose();
                throw new ArgumentException($"cannot connect to PostgreSQL at {Redacted(engine)}: {e.Message}");
            }
            return (pg, SqlDialect.Postgres);
        }
        throw new ArgumentException($"--engine takes duckdb (embedded) or a PostgreSQL URI postgres://user@host:port/database, not '{engine}'");
    }

    /// <summary>postgres://user:password@host:port/database as Npgsql's key=value form (each part unescaped).</summary>
    public static string PostgresConnectionString(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var u) || string.IsNullOrEmpty(u.Host))
            throw new ArgumentException($"'{Redacted(uri)}' is not a PostgreSQL URI: postgres://user@host:port/database");
        var b = new NpgsqlConnectionStringBuilder { Host = u.Host, Port = u.IsDefaultPort || u.Port < 0 ? 5432 : u.Port };
        if (u.UserInfo.Length > 0)
        {
            var parts = u.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        string db = Uri.UnescapeDataString(u.AbsolutePath.TrimStart('/'));
        if (db.Length > 0) b.Database = db;
        return b.ConnectionString;
    }

    /// <summary>The URI without its password, for messages.</summary>
    public static string Redacted(string uri) => System.Text.RegularExpressions.Regex.Replace(uri, "://([^:@/]*):[^@/]*@", "://$1:***@");
}
