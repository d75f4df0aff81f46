using ReferralNetwork.Contracts;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Identity;

/// <summary>
/// The roles table, cell by cell, through the grains themselves (the API and the console both reach them): a person of
/// each role tries each case action on a referral where nothing but the role could stop it. Allowed means the action
/// succeeds; refused means a 403 that names the role, and the referral unchanged.
/// </summary>
public sealed class RoleMatrixTests : IAsyncLifetime
{
    private static readonly string[] AllCaseScopes = [Scopes.ReferralsRead, Scopes.ReferralsWrite, Scopes.SubjectRead, Scopes.ConsentOverride];
    private static readonly Caller ThailandSystem = new("th-focal-point", "TH", OrganizationKind.FocalPoint, AllCaseScopes);
    private static readonly Caller ShelterSystem = new("th-shelter-bangkok", "TH", OrganizationKind.Shelter, AllCaseScopes);
    private static readonly OrganizationRef Shelter = new("th-shelter-bangkok", "TH", OrganizationKind.Shelter);

    private readonly TempFolder _data = new();
    private GrainCluster _cluster = null!;

    public async ValueTask InitializeAsync() => _cluster = await GrainCluster.StartAsync(_data.Path);

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _data.Dispose();
    }

    // The table of who may do what: officer, supervisor, organization admin, secretariat admin.
    public static TheoryData<CaseAction, bool, bool, bool, bool> Table => new()
    {
        { CaseAction.ReadReferrals, true, true, false, false },
        { CaseAction.Create, true, true, false, false },
        { CaseAction.Screen, true, true, false, false },
        { CaseAction.RecordConsent, true, true, false, false },
        { CaseAction.RecordService, true, true, false, false },
        { CaseAction.Offer, true, true, false, false },
        { CaseAction.Answer, true, true, false, false },
        { CaseAction.VerifyNationality, true, true, false, false },
        { CaseAction.ReadSubject, true, true, false, false },
        { CaseAction.ReadAccessLog, true, true, false, false },
        { CaseAction.Withdraw, false, true, false, false },
        { CaseAction.Close, false, true, false, false },
        { CaseAction.EmergencyAccess, false, true, false, false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task Each_role_may_do_what_the_table_says(CaseAction action, bool officer, bool supervisor, bool organizationAdmin, bool secretariatAdmin)
    {
        foreach (var (role, allowed) in new[]
        {
            (PersonRoles.Officer, officer), (PersonRoles.Supervisor, supervisor),
            (PersonRoles.OrganizationAdmin, organizationAdmin), (PersonRoles.SecretariatAdmin, secretariatAdmin),
        })
        {
            Assert.Equal(allowed, RolePermissions.Allows(role, action));
            var (referral, attempt) = await ArrangeAsync(action, role);
            var versionBefore = (await referral.Get(ThailandSystem)).Version;
            if (allowed)
            {
                await attempt();
            }
            else
            {
                var refused = await Assert.ThrowsAsync<ProblemException>(attempt);
                Assert.Equal(ProblemKind.Forbidden, refused.Kind);
                Assert.Contains(RolePermissions.Name(role), refused.Message, StringComparison.Ordinal);
                Assert.Equal(versionBefore, (await referral.Get(ThailandSystem)).Version);
            }
        }
    }

    [Fact]
    public async Task The_history_and_the_access_log_name_the_person_and_the_events_do_not()
    {
        var officer = Person(ThailandSystem, PersonRoles.Officer, "7c1e9d2a-person-officer-canary");
        var referral = _cluster.Grains.GetGrain<IReferralGrain>(Guid.NewGuid());
        await referral.Create(officer, ReferralRequests.Command(officer));
        await referral.RecordConsent(ThailandSystem, null, new ReferralCommand.RecordConsent(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        await referral.ReadSubject(officer, AccessPurpose.CaseWork, null);

        var history = await referral.GetHistory(ThailandSystem);
        Assert.Equal([officer.Person, null], history.Select(h => h.ActingPerson));
        Assert.All(history, h => Assert.Equal("th-focal-point", h.ActingOrganizationId));
        Assert.Equal(officer.Person, Assert.Single(await referral.GetAccessLog(ThailandSystem)).Person);
        var published = _cluster.Harness.Published.Select(m => m.MessageObject is IReferralEvent, TestContext.Current.CancellationToken).ToList();
        Assert.NotEmpty(published);
        Assert.All(published, m => Assert.DoesNotContain(
            officer.Person!, System.Text.Json.JsonSerializer.Serialize(m.MessageObject, m.MessageType, Json.Options), StringComparison.Ordinal));
    }

    private static Caller Person(Caller organization, PersonRoles roles, string? id = null) =>
        organization with { Person = id ?? Guid.NewGuid().ToString(), Roles = roles, Scopes = [.. organization.Scopes.Intersect(RolePermissions.ScopesFor(roles).Concat([Scopes.SubjectRead]))] };

    /// <summary>A referral where only the role can stand in the action's way, and the action as that role's person.</summary>
    private async Task<(IReferralGrain Referral, Func<Task> Attempt)> ArrangeAsync(CaseAction action, PersonRoles role)
    {
        // Every scope the kind allows: the role alone decides (the scopes a role's token gets are tested elsewhere).
        var thai = ThailandSystem with { Person = Guid.NewGuid().ToString(), Roles = role };
        var sheltered = ShelterSystem with { Person = Guid.NewGuid().ToString(), Roles = role };
        var referral = _cluster.Grains.GetGrain<IReferralGrain>(Guid.NewGuid());
        await referral.Create(ThailandSystem, ReferralRequests.Command(ThailandSystem));
        await referral.RecordConsent(ThailandSystem, null, new ReferralCommand.RecordConsent(ConsentPurpose.Share, Shelter.Id, true, ConsentMethod.Written));

        async Task<Guid> OfferAsync(HandoffKind kind) =>
            (await referral.Offer(ThailandSystem, null, new ReferralCommand.Offer(
                Shelter, kind, kind == HandoffKind.Service ? [ServiceKind.Medical] : [], null, null, null))).Id;

        switch (action)
        {
            case CaseAction.ReadReferrals:
                return (referral, () => referral.Get(thai));
            case CaseAction.Create:
                var other = _cluster.Grains.GetGrain<IReferralGrain>(Guid.NewGuid());
                return (referral, () => other.Create(thai, ReferralRequests.Command(thai)));
            case CaseAction.Screen:
                return (referral, () => referral.Screen(thai, null, new ReferralCommand.Screen(["recruited-social-media", "debt-bondage", "forced-labour"])));
            case CaseAction.RecordConsent:
                return (referral, () => referral.RecordConsent(thai, null, new ReferralCommand.RecordConsent(ConsentPurpose.Return, null, true, ConsentMethod.Written)));
            case CaseAction.RecordService:
                return (referral, () => referral.RecordService(thai, null, new ReferralCommand.RecordService(ServiceKind.Medical, ServiceStatus.Started, null)));
            case CaseAction.Offer:
                return (referral, () => referral.Offer(thai, null, new ReferralCommand.Offer(Shelter, HandoffKind.Custody, [], null, null, null)));
            case CaseAction.Answer:
                var toAnswer = await OfferAsync(HandoffKind.Custody);
                return (referral, () => referral.Accept(sheltered, null, toAnswer));
            case CaseAction.Withdraw:
                var toWithdraw = await OfferAsync(HandoffKind.Custody);
                return (referral, () => referral.Withdraw(thai, null, new ReferralCommand.Withdraw(toWithdraw, null)));
            case CaseAction.Close:
                return (referral, () => referral.Close(thai, null, new ReferralCommand.Close(ClosureReason.LocalIntegration)));
            case CaseAction.EmergencyAccess:
                await referral.RecordConsent(ThailandSystem, null, new ReferralCommand.RecordConsent(ConsentPurpose.Services, null, true, ConsentMethod.Written));
                var service = await OfferAsync(HandoffKind.Service);
                await referral.Accept(ShelterSystem, null, service);
                return (referral, () => referral.OpenEmergencyAccess(sheltered, null, new ReferralCommand.OpenEmergencyAccess("The person collapsed; the clinic needs her name.")));
            case CaseAction.ReadSubject:
                return (referral, () => referral.ReadSubject(thai, AccessPurpose.CaseWork, null));
            case CaseAction.ReadAccessLog:
                return (referral, () => referral.GetAccessLog(thai));
            case CaseAction.VerifyNationality:
                // Verification is the receiving focal point's: offer repatriation to Viet Nam, accepted, then its person verifies.
                var vietnam = new OrganizationRef("vn-focal-point", "VN", OrganizationKind.FocalPoint);
                var vnSystem = new Caller(vietnam.Id, "VN", OrganizationKind.FocalPoint, AllCaseScopes);
                await referral.RecordConsent(ThailandSystem, null, new ReferralCommand.RecordConsent(ConsentPurpose.Return, null, true, ConsentMethod.Written));
                await referral.RecordConsent(ThailandSystem, null, new ReferralCommand.RecordConsent(ConsentPurpose.Share, vietnam.Id, true, ConsentMethod.Written));
                var repatriation = await referral.Offer(ThailandSystem, null, new ReferralCommand.Offer(vietnam, HandoffKind.Custody, [], null, null, null));
                await referral.Accept(vnSystem, null, repatriation.Id);
                var vn = vnSystem with { Person = Guid.NewGuid().ToString(), Roles = role };
                return (referral, () => referral.VerifyNationality(vn, null, new ReferralCommand.VerifyNationality(NationalityOutcome.Confirmed, null)));
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "No arrangement for this action.");
        }
    }
}
