# bench/incidents/kde_spatstat.R — a B of the kernel density comparisons (see
# bench/README.md): spatstat's density.ppp on a pixel grid that contains
# agora's cells.
#
# Usage: Rscript kde_spatstat.R POINTS X0 Y0 CELL NX NY SIGMA OUT
#   POINTS        CSV without a header, x,y per line: the points' plane
#                 coordinates exported from agora's database
#   X0 Y0 CELL NX NY
#                 agora's grid (south-west corner, cell size, columns, rows)
#   SIGMA         the Gaussian's standard deviation in metres
#   OUT           written: NX * NY doubles (native binary, R's writeBin) in
#                 agora's order (row by row from the south-west), per km²
# Prints on stdout: "points N", "window XMIN XMAX YMIN YMAX", "pixels NC NR",
# "centre_offset M" (the largest distance, in metres, between a pixel centre
# used and agora's cell centre: 0 up to rounding when the grids coincide) and
# "time_compute S" (density.ppp alone, without reading the points, making the
# ppp or writing the result).
#
# spatstat drops the points that lie outside the window, while agora sums
# every point into every cell it reaches. So the window is agora's grid
# widened, on the same lattice of CELL-metre pixels, until it contains every
# point (and to a multiple of 64 pixels, for the FFT). density.ppp (sigma,
# eps = CELL, edge = FALSE: no edge correction, as agora without --edge) then
# computes the whole window, and the pixels that are agora's cells are taken
# out. density.ppp moves every point to the centre of its pixel and convolves
# by FFT: an approximation, within about a percent of the exact sum in the
# median at these settings, more on steep slopes. ppp's warning about
# duplicated points (thefts recorded at the same place) is silenced.
# SPDX-License-Identifier: EUPL-1.2

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 8) stop("usage: Rscript kde_spatstat.R POINTS X0 Y0 CELL NX NY SIGMA OUT")
x0 <- as.numeric(args[2]); y0 <- as.numeric(args[3]); cell <- as.numeric(args[4])
nx <- as.integer(args[5]); ny <- as.integer(args[6]); sigma <- as.numeric(args[7])
out <- args[8]

suppressPackageStartupMessages(library(spatstat))

p <- scan(args[1], what = list(x = 0, y = 0), sep = ",", quiet = TRUE)
# The window: whole pixels of the grid's lattice, from the grid's corner
# outwards, over the grid and every point (one more pixel on each side, so
# that no point lies on the boundary).
kx0 <- min(0, floor((min(p$x) - x0) / cell) - 1)
ky0 <- min(0, floor((min(p$y) - y0) / cell) - 1)
kx1 <- max(nx, ceiling((max(p$x) - x0) / cell) + 1)
ky1 <- max(ny, ceiling((max(p$y) - y0) / cell) + 1)
# Whole multiples of 64 pixels on each side: density.ppp pads the grid to
# twice its size for the FFT, and R's fft is slow on sizes with a large prime
# factor (461 or 1151 pixels would be). The extra pixels hold no point.
kx1 <- kx0 + ceiling((kx1 - kx0) / 64) * 64
ky1 <- ky0 + ceiling((ky1 - ky0) / 64) * 64
xr <- c(x0 + kx0 * cell, x0 + kx1 * cell)
yr <- c(y0 + ky0 * cell, y0 + ky1 * cell)
X <- suppressWarnings(ppp(p$x, p$y, window = owin(xr, yr)))
if (npoints(X) != length(p$x)) stop("points outside the window")

t <- system.time(d <- density.ppp(X, sigma = sigma, eps = cell, edge = FALSE, kernel = "gaussian"))

# d$v[row, col]: rows along yrow (south to north), columns along xcol.
jx <- seq_len(nx) - kx0
jy <- seq_len(ny) - ky0
off <- max(abs(d$xcol[jx] - (x0 + (seq_len(nx) - 0.5) * cell)),
           abs(d$yrow[jy] - (y0 + (seq_len(ny) - 0.5) * cell)))
v <- d$v[jy, jx, drop = FALSE] * 1e6           # per m² -> per km²
writeBin(as.vector(t(v)), out)                 # row by row from the south-west
cat("points", npoints(X), "\n")
cat("window", xr, yr, "\n")
cat("pixels", length(d$xcol), length(d$yrow), "\n")
cat("centre_offset", off, "\n")
cat("time_compute", t[["elapsed"]], "\n")
