using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;
using ReferralNetwork.Http;

namespace ReferralNetwork.Subjects;

/// <summary>The subject compartment: the person's identity in a grain and storage of its own, and its routes.</summary>
public static class SubjectsFeature
{
    public const string GrainStorage = "subjects";

    public static WebApplicationBuilder AddSubjects(this WebApplicationBuilder builder)
    {
        builder.DescribeApiTag("Subjects", "The subject compartment: the person's identity and documents, read for a stated purpose (every read recorded), corrected by the holder; the access log.");
        builder.Services.AddSingleton(SubjectOptions.From(builder.Configuration));
        builder.Services.AddSingleton(RetentionOptions.From(builder.Configuration));
        builder.Services.AddHostedService<RetentionJob>();
        builder.PlatformFeatures().ConfigureSilo(ConfigureSilo);
        return builder;
    }

    public static void ConfigureSilo(ISiloBuilder silo, GrainStore store) => store.AddGrainStorage(silo, GrainStorage);

    public static IEndpointRouteBuilder MapSubjects(this IEndpointRouteBuilder app) => app.MapSubjectApi();
}
