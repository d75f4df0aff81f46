using MassTransit;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Hosting;

/// <summary>
/// What the feature folders contribute to the hosts they share. A feature's <c>AddXxx</c> records here
/// what its silo needs (grain storage, startup tasks), its bus consumers and its demo seed; the silo,
/// the bus and the embedded start-up are built from this record afterwards, so adding a feature never
/// edits the hosting code.
/// </summary>
public sealed class PlatformFeatures
{
    private readonly List<Action<ISiloBuilder, GrainStore>> _silo = [];
    private readonly List<Action<IBusRegistrationConfigurator>> _consumers = [];
    private readonly List<Action<IServiceCollection>> _projections = [];
    private readonly List<Func<IServiceProvider, CancellationToken, Task>> _demoSeeds = [];
    private readonly List<Func<IConfiguration, IEnumerable<string>>> _productionChecks = [];
    private readonly List<string> _demoNotes = [];
    private readonly List<string> _meters = [];

    /// <summary>Lines the welcome message shows when the demo data is seeded (development only).</summary>
    public IReadOnlyList<string> DemoNotes => _demoNotes;

    /// <summary>The meters of the features, exported with the framework's (docs/telemetry.md).</summary>
    public IReadOnlyList<string> Meters => _meters;

    /// <summary>The consumers whose applying an event counts for its delivery on the in-memory bus.</summary>
    public IReadOnlyList<Type> Projections => _projections.Count > 0 ? [typeof(ReferralProjections)] : [];

    /// <summary>The one instance of a host being built (also registered as a service, for what runs later).</summary>
    public static PlatformFeatures Of(IHostApplicationBuilder builder)
    {
        if (!builder.Properties.TryGetValue(typeof(PlatformFeatures), out var features))
        {
            builder.Properties[typeof(PlatformFeatures)] = features = new PlatformFeatures();
            builder.Services.AddSingleton((PlatformFeatures)features);
        }

        return (PlatformFeatures)features;
    }

    /// <summary>Silo configuration of a feature: its grain storage, silo services, startup tasks.</summary>
    public PlatformFeatures ConfigureSilo(Action<ISiloBuilder, GrainStore> configure)
    {
        _silo.Add(configure);
        return this;
    }

    public PlatformFeatures AddConsumer<TConsumer, TDefinition>()
        where TConsumer : class, IConsumer
        where TDefinition : class, IConsumerDefinition<TConsumer>
    {
        _consumers.Add(bus => bus.AddConsumer<TConsumer, TDefinition>());
        return this;
    }

    /// <summary>A read model built from referral events, applied with the others by the one <see cref="ReferralProjections"/> consumer.</summary>
    public PlatformFeatures AddProjection<TProjection>()
        where TProjection : ReferralEventProjection
    {
        if (_projections.Count == 0)
        {
            AddConsumer<ReferralProjections, ReferralProjectionsDefinition>();
        }

        _projections.Add(services => services.AddReferralProjection<TProjection>());
        return this;
    }

    /// <summary>Demo data of the embedded profile, seeded in the order the features were added.</summary>
    public PlatformFeatures AddDemoSeed(Func<IServiceProvider, CancellationToken, Task> seed)
    {
        _demoSeeds.Add(seed);
        return this;
    }

    /// <summary>A meter of the feature's own; its labels must stay as coarse as the dashboards (docs/telemetry.md).</summary>
    public PlatformFeatures AddMeter(string name)
    {
        _meters.Add(name);
        return this;
    }

    public PlatformFeatures AddDemoNote(string note)
    {
        _demoNotes.Add(note);
        return this;
    }

    /// <summary>What the production profile refuses of a feature's configuration (each reason says what to change).</summary>
    public PlatformFeatures AddProductionCheck(Func<IConfiguration, IEnumerable<string>> refusals)
    {
        _productionChecks.Add(refusals);
        return this;
    }

    public IEnumerable<string> ProductionRefusals(IConfiguration configuration) => _productionChecks.SelectMany(check => check(configuration));

    public void ConfigureSilo(ISiloBuilder silo, GrainStore store)
    {
        foreach (var configure in _silo)
        {
            configure(silo, store);
        }
    }

    public void ConfigureConsumers(IBusRegistrationConfigurator bus)
    {
        foreach (var add in _consumers)
        {
            add(bus);
        }

        foreach (var add in _projections)
        {
            add(bus); // the bus's registration is the host's service collection
        }
    }

    public async Task SeedDemoDataAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        foreach (var seed in _demoSeeds)
        {
            await seed(services, cancellationToken);
        }
    }
}

public static class PlatformFeaturesExtensions
{
    public static PlatformFeatures PlatformFeatures(this IHostApplicationBuilder builder) => Hosting.PlatformFeatures.Of(builder);
}
