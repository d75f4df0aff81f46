using ReferralNetwork.EndToEnd.Servers;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// The production-profile tests share one PostgreSQL server and one RabbitMQ node of their own (other
/// collections restart theirs), and run one after another: each may stop, kill or restart them, and must
/// leave them running. Each platform gets databases and a RabbitMQ virtual host of its own on them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProductionCollection : ICollectionFixture<PostgresFixture>, ICollectionFixture<RabbitMqFixture>
{
    public const string Name = "Production profile";
}
