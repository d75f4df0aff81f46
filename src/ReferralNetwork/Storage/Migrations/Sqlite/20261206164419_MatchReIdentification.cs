using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReferralNetwork.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MatchReIdentification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "ReIdentification",
                table: "PossibleMatches",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ReIdentification",
                table: "PossibleMatches");
        }
    }
}
