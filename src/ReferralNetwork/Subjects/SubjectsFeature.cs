using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;
using ReferralNetwork.Http;

namespace ReferralNetwork.Subjects;

/// <summary>The subject compartment: the person's identity in a grain and storage of its own, and its routes.</summary>
public static class SubjectsFeature
{
    /// <summary>The compartment's storage: routes each grain to its country's store (<see cref="ResidencyGrainStorage"/>).</summary>
    public const string GrainStorage = "subjects";

    /// <summary>The provider on the shared grain store, for the countries without a store of their own.</summary>
    public const string SharedGrainStorage = "subjects-shared";

    public static string CountryGrainStorageName(string country) => $"subjects-{country}";

    public static WebApplicationBuilder AddSubjects(this WebApplicationBuilder builder)
    {
        builder.DescribeApiTag("Subjects", "The subject compartment: the person's identity and documents, read for a stated purpose (every read recorded), corrected by the holder; the access log.");
        var profile = PlatformOptions.From(builder.Configuration).Profile;
        var residency = ResidencyOptions.From(builder.Configuration, profile);
        if (profile == PlatformProfile.Embedded)
        {
            residency.ThrowIfUnusable();
        }

        // Production names every problem of its configuration at once (ProductionChecks), these with the others.
        builder.PlatformFeatures().AddProductionCheck(_ => residency.Refusals);
        builder.Services.AddSingleton(residency);
        builder.Services.AddSingleton(SubjectOptions.From(builder.Configuration));
        builder.Services.AddSingleton(RetentionOptions.From(builder.Configuration));
        builder.Services.AddHostedService<RetentionJob>();
        builder.PlatformFeatures().ConfigureSilo((silo, store) => ConfigureSilo(silo, store, residency));
        return builder;
    }

    /// <summary>What a silo needs of the compartment (the grain test cluster uses it as the platform does).</summary>
    public static void ConfigureSilo(ISiloBuilder silo, GrainStore store, ResidencyOptions? residency = null)
    {
        residency ??= ResidencyOptions.None;
        silo.Services.TryAddSingleton(residency);
        store.AddGrainStorage(silo, SharedGrainStorage);
        foreach (var (country, connectionString) in residency.Stores)
        {
            store.ConfigureGrainStorage(silo.Services, CountryGrainStorageName(country), connectionString);
        }

        silo.Services.AddGrainStorage(GrainStorage, (services, _) => new ResidencyGrainStorage(
            services.GetRequiredKeyedService<IGrainStorage>(SharedGrainStorage),
            residency.Stores.Keys.ToDictionary(
                country => country,
                country => new CountryGrainStorage(
                    country,
                    () => AdoNetGrainStorageFactory.Create(services, CountryGrainStorageName(country)),
                    services.GetRequiredService<ILogger<CountryGrainStorage>>())),
            services.GetRequiredService<ILogger<ResidencyGrainStorage>>()));
    }

    public static IEndpointRouteBuilder MapSubjects(this IEndpointRouteBuilder app) => app.MapSubjectApi();
}
