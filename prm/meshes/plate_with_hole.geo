// A plate (0,2)×(0,1) with a circular hole of radius 0.2 around (0.5, 0.5),
// meshed with quadrilaterals, for prm/plate_with_hole_training.prm.
//
// Boundary ids (Gmsh physical curves, read by deal.II's GridIn):
//   0  the outer edges of the plate,
//   1  the hole (npde attaches a spherical manifold to it).
// Regenerate the mesh (Gmsh 4, MSH 2.2 format, which deal.II 9.4 reads):
//   gmsh -2 -format msh22 plate_with_hole.geo -o plate_with_hole.msh

h = 0.2;  // the target cell size
Point(1) = {0, 0, 0, h};
Point(2) = {2, 0, 0, h};
Point(3) = {2, 1, 0, h};
Point(4) = {0, 1, 0, h};
Line(1) = {1, 2};
Line(2) = {2, 3};
Line(3) = {3, 4};
Line(4) = {4, 1};

// The hole: four quarter circles around (0.5, 0.5).
Point(5) = {0.5, 0.5, 0, h};
Point(6) = {0.7, 0.5, 0, h / 2};
Point(7) = {0.5, 0.7, 0, h / 2};
Point(8) = {0.3, 0.5, 0, h / 2};
Point(9) = {0.5, 0.3, 0, h / 2};
Circle(5) = {6, 5, 7};
Circle(6) = {7, 5, 8};
Circle(7) = {8, 5, 9};
Circle(8) = {9, 5, 6};

Curve Loop(1) = {1, 2, 3, 4};
Curve Loop(2) = {5, 6, 7, 8};
Plane Surface(1) = {1, 2};

// Quadrilaterals only: recombine the triangles into quads.
Recombine Surface {1};
Mesh.Algorithm = 6; // Frontal-Delaunay (8, for quads, crashes Gmsh 4.8 here)
Mesh.RecombinationAlgorithm = 2;

Physical Curve(0) = {1, 2, 3, 4};
Physical Curve(1) = {5, 6, 7, 8};
Physical Surface(0) = {1};
