using Akka.Configuration;
using Akka.Persistence.Sql;

namespace LstmSweep.Cluster.Persistence;

/// <summary>
/// HOCON for Akka.Persistence.Sql (journal, snapshot store and query journal on one database). Written out because the
/// hosting package for this plugin is not available; the plugin's own defaults are appended, or its classes are missing.
/// </summary>
public static class JournalConfig
{
    public static Config For(DatabaseTarget database)
    {
        var connection = Quote(database.ConnectionString);
        var provider = Quote(database.ProviderName);
        var hocon = $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = {{connection}}
                  provider-name = {{provider}}
                  auto-initialize = on
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = {{connection}}
                  provider-name = {{provider}}
                  auto-initialize = on
                }
              }
              query.journal.sql {
                connection-string = {{connection}}
                provider-name = {{provider}}
                write-plugin = "akka.persistence.journal.sql"
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
