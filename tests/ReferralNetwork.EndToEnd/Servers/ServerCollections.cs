using Xunit;

namespace ReferralNetwork.EndToEnd.Servers;

// Tests in one collection run one after another and share its servers; collections run in
// parallel, each with servers of its own. A test that stops or kills a shared server must leave it
// running again.

/// <summary>Test classes marked <c>[Collection(PostgresCollection.Name)]</c> receive a <see cref="PostgresFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL server";
}

/// <summary>Test classes marked <c>[Collection(RabbitMqCollection.Name)]</c> receive a <see cref="RabbitMqFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqFixture>
{
    public const string Name = "RabbitMQ server";
}

/// <summary>For tests of the whole application: both servers, shared by the collection.</summary>
[CollectionDefinition(Name)]
public sealed class BackendServersCollection : ICollectionFixture<PostgresFixture>, ICollectionFixture<RabbitMqFixture>
{
    public const string Name = "PostgreSQL and RabbitMQ servers";
}
