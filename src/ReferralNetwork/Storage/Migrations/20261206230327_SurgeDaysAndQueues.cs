using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReferralNetwork.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SurgeDaysAndQueues : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CurrentStage",
                table: "DashboardCases",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "CustodyOfferedDay",
                table: "DashboardCases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "IdentifiedDay",
                table: "DashboardCases",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "PlannedDay",
                table: "DashboardCases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "PresumedVictimDay",
                table: "DashboardCases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ReturnedDay",
                table: "DashboardCases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ScreenedDay",
                table: "DashboardCases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "StageSinceDay",
                table: "DashboardCases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "StageVersion",
                table: "DashboardCases",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "VerifiedDay",
                table: "DashboardCases",
                type: "integer",
                nullable: true);

            // Referrals already counted stay in the stage they reached; the day each entered it and the days of each step
            // are not in this table, so they join the queues and the figures per day at their next event
            // (`rebuild-dashboards` replays every history and fills them at once).
            migrationBuilder.Sql("UPDATE \"DashboardCases\" SET \"CurrentStage\" = \"FurthestStage\"");

            migrationBuilder.CreateIndex(
                name: "IX_DashboardCases_ClosedMonth_CurrentStage",
                table: "DashboardCases",
                columns: new[] { "ClosedMonth", "CurrentStage" });

            migrationBuilder.CreateIndex(
                name: "IX_DashboardCases_IdentifiedDay",
                table: "DashboardCases",
                column: "IdentifiedDay");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DashboardCases_ClosedMonth_CurrentStage",
                table: "DashboardCases");

            migrationBuilder.DropIndex(
                name: "IX_DashboardCases_IdentifiedDay",
                table: "DashboardCases");

            migrationBuilder.DropColumn(
                name: "CurrentStage",
                table: "DashboardCases");

            migrationBuilder.DropColumn(
                name: "CustodyOfferedDay",
                table: "DashboardCases");

            migrationBuilder.DropColumn(
                name: "IdentifiedDay",
                table: "DashboardCases");

            migrationBuilder.DropColumn(
                name: "PlannedDay",
                table: "DashboardCases");

            migrationBuilder.DropColumn(
                name: "PresumedVictimDay",
                table: "DashboardCases");

            migrationBuilder.DropColumn(
                name: "ReturnedDay",
                table: "DashboardCases");

            migrationBuilder.DropColumn(
                name: "ScreenedDay",
                table: "DashboardCases");

            migrationBuilder.DropColumn(
                name: "StageSinceDay",
                table: "DashboardCases");

            migrationBuilder.DropColumn(
                name: "StageVersion",
                table: "DashboardCases");

            migrationBuilder.DropColumn(
                name: "VerifiedDay",
                table: "DashboardCases");
        }
    }
}
