# bench/incidents/gistar.R — B of the Gi* comparison (see bench/README.md):
# R spdep's localG on the same grid of counts as agora incidents gistar.
#
# Usage: Rscript gistar.R CSV X0 Y0 CELL NX NY OUT
#   CSV           the incident file (columns X, Y, date: the Chicago 2016 file)
#   X0 Y0 CELL NX NY
#                 the grid, from agora's --json output ("grid"): the south-west
#                 corner, the cell size in metres and the number of columns
#                 and rows, so that both tools count in identical cells
#   OUT           written: one line per cell in agora's order (row by row from
#                 the south-west, index iy * nx + ix): count,z
# Prints on stdout: "records N", "counted N", "time_localG S" (localG alone)
# and "time_compute S" (cell2nb, include.self, nb2listw and localG).
#
# Records with an empty date are left out, as agora's --skip-bad does (the
# Chicago file has one). Binning follows agora: cell = floor((x - x0) / cell),
# a point on the far edge of the grid in the last cell.
#
# Cell order: spdep's cell2nb(nrow, ncol) names its cells "col:row" and numbers
# them row by row (the column fastest); the script reads those names and maps
# each cell to agora's index (row - 1) * nx + (col - 1). Whether cell2nb's
# rows run from the north or the south does not matter: a lattice's queen
# neighbours are the same upside down.
# SPDX-License-Identifier: EUPL-1.2

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 7) stop("usage: Rscript gistar.R CSV X0 Y0 CELL NX NY OUT")
csv <- args[1]
x0 <- as.numeric(args[2]); y0 <- as.numeric(args[3]); cell <- as.numeric(args[4])
nx <- as.integer(args[5]); ny <- as.integer(args[6]); out <- args[7]

suppressPackageStartupMessages(library(spdep))

d <- read.csv(csv, colClasses = c("numeric", "numeric", "character"))
d <- d[!is.na(d$X) & !is.na(d$Y) & !is.na(d$date) & d$date != "", ]
fx <- floor((d$X - x0) / cell)
fy <- floor((d$Y - y0) / cell)
fx[fx == nx] <- nx - 1
fy[fy == ny] <- ny - 1
inside <- fx >= 0 & fy >= 0 & fx < nx & fy < ny
counts <- tabulate(fy[inside] * nx + fx[inside] + 1, nbins = nx * ny)

t_all <- system.time({
    nb <- cell2nb(ny, nx, type = "queen")
    ids <- attr(nb, "region.id")
    cr <- do.call(rbind, lapply(strsplit(ids, ":", fixed = TRUE), as.integer))
    to_agora <- (cr[, 2] - 1) * nx + (cr[, 1] - 1) + 1   # spdep index -> agora index (1-based)
    stopifnot(length(nb) == nx * ny, !anyDuplicated(to_agora))
    lw <- nb2listw(include.self(nb), style = "B")
    x <- counts[to_agora]
    t_g <- system.time(g <- localG(x, lw))
})
z <- numeric(nx * ny)
z[to_agora] <- as.numeric(g)
write.table(data.frame(count = counts, z = sprintf("%.17g", z)), out, sep = ",",
            quote = FALSE, row.names = FALSE)
cat("records", nrow(d), "\n")
cat("counted", sum(inside), "\n")
cat("time_localG", t_g[["elapsed"]], "\n")
cat("time_compute", t_all[["elapsed"]], "\n")
