namespace LstmSweep.IntegrationTests;

/// <summary>One PostgreSQL server (tests/Shared/PostgresServer.cs) for the whole project.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
