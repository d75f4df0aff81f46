using System.Net;
using System.Net.Http.Json;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Referrals;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

/// <summary>Bulk intake across a restart, in the logs, and against the caller's rate limit: platforms of their own.</summary>
public sealed class BatchDurabilityTests
{
    [Fact]
    public async Task A_batch_retried_after_a_restart_finds_what_it_created_and_no_log_holds_a_person()
    {
        using var data = new TempFolder();
        var logs = new LogCapture();
        var canary = $"Canary{Guid.NewGuid():N}"[..24];
        var items = BatchIntakeTests.People("TH", 6)
            .Select((item, i) => item with { Referral = item.Referral! with { Subject = item.Referral.Subject! with { GivenName = $"{canary}{i}" }, Summary = $"{canary} summary {i}" } })
            .ToList();
        items[3] = items[3] with { Referral = items[3].Referral! with { IdentifiedIn = "KH" } };
        ReferralBatchResult first;
        await using (var before = new PlatformFactory(data.Path) { Logs = logs })
        {
            using var client = await before.ClientForAsync("th-focal-point");
            first = await BatchIntakeTests.PostAsync(client, items);
        }

        await using var after = new PlatformFactory(data.Path) { Logs = logs };
        using var again = await after.ClientForAsync("th-focal-point");
        var retry = await BatchIntakeTests.PostAsync(again, items);

        Assert.Equal(5, first.Items.Count(r => r.Status == BatchItemStatus.Created));
        Assert.Equal(
            first.Items.Select(r => r.Status == BatchItemStatus.Created ? BatchItemStatus.AlreadyExists : r.Status),
            retry.Items.Select(r => r.Status));
        Assert.Equal(first.Items.Select(r => r.Id), retry.Items.Select(r => r.Id));
        var list = await Eventually.Until(() => ReferralRequests.ListAsync(again), l => l!.Total >= 5);
        Assert.Equal(5, list!.Total);
        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, e => e.Text.Contains(canary, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_batch_counts_one_request_per_item_against_the_callers_limit_and_a_refused_one_creates_nothing()
    {
        using var data = new TempFolder();
        await using var factory = new PlatformFactory(data.Path)
        {
            Settings = new Dictionary<string, string> { ["RateLimits:PermitLimit"] = "50", ["RateLimits:Window"] = "01:00:00" },
        };
        using var thailand = await factory.ClientForAsync("th-focal-point");

        var accepted = await BatchIntakeTests.PostAsync(thailand, BatchIntakeTests.People("TH", 30));
        var refusedItems = BatchIntakeTests.People("TH", 25);
        using var refused = await thailand.PostAsJsonAsync("/api/v1/referrals/batch", new CreateReferralBatchRequest(refusedItems), PlatformFactory.JsonOptions);

        Assert.All(accepted.Items, r => Assert.Equal(BatchItemStatus.Created, r.Status));
        await Problem.AssertAsync(refused, HttpStatusCode.TooManyRequests, "too-many-requests");
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
        Assert.Contains("remaining=0", refused.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);

        // 50 − 30 − 1 = 19 requests left in the hour: the refused batch took none of them beyond its own.
        foreach (var item in refusedItems.Take(18))
        {
            using var read = await thailand.GetAsync($"/api/v1/referrals/{ReferralEndpoints.IdFor("th-focal-point", item.IdempotencyKey!)}");
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        }

        using var last = await thailand.GetAsync($"/api/v1/referrals/{accepted.Items[0].Id}");
        using var over = await thailand.GetAsync($"/api/v1/referrals/{accepted.Items[0].Id}");
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
    }
}
