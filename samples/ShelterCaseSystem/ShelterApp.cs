using ReferralNetwork.Client;
using ReferralNetwork.Contracts;

namespace ShelterCaseSystem;

/// <summary>The program: configuration, the typed client, the intake desk, and the two routes it serves.</summary>
public static class ShelterApp
{
    public const string WebhookPath = "/webhooks/referral-network";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var shelter = builder.Configuration.GetSection(ShelterOptions.Section).Get<ShelterOptions>() ?? new ShelterOptions();
        builder.Services.AddSingleton(shelter);
        builder.Services.AddSingleton(new Beds(shelter.Beds));
        builder.Services.AddReferralNetworkClient(options => builder.Configuration.GetSection("ReferralNetwork").Bind(options));
        builder.Services.AddSingleton<Intake>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Intake>());
        builder.Services.AddProblemDetails();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024); // deliveries are a few KiB

        var app = builder.Build();
        app.MapPost(WebhookPath, ReceiveAsync);
        app.MapGet("/status", (Beds beds, Intake intake) =>
            new { beds = beds.Total, free = beds.Available, accepted = intake.Accepted, declined = intake.Declined, subscribed = intake.Verifier is not null });
        return app;
    }

    /// <summary>A delivery from the platform: verified on its raw bytes, queued, answered at once (the platform waits 15 s at most).</summary>
    private static async Task<IResult> ReceiveAsync(HttpRequest request, Intake intake, ShelterOptions shelter, ILogger<Intake> logger)
    {
        if (intake.Verifier is not { } verifier)
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not subscribed yet.");
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        WebhookMessage message;
        try
        {
            message = verifier.Verify(
                request.Headers[WebhookVerifier.IdHeader], request.Headers[WebhookVerifier.TimestampHeader], request.Headers[WebhookVerifier.SignatureHeader],
                body.ToArray());
        }
        catch (WebhookVerificationException refused)
        {
            logger.LogWarning("Refused a delivery that does not verify: {Reason}", refused.Message);
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The delivery does not verify.", detail: refused.Message);
        }

        if (message.TryGetEvent<HandoffOffered>(out var offered) && offered!.ToOrganizationId == shelter.OrganizationId)
        {
            intake.Enqueue(new Offer(offered.ReferralId, offered.HandoffId, offered.Kind, offered.Services));
        }

        // Any other type, one this version does not know included, is acknowledged and left alone.
        return Results.NoContent();
    }
}
