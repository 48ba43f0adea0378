"""Shapes and their areas."""
import math
from typing import List


class Circle:
    def __init__(self, r):
        self.r = r

    def area(self):
        # pi r squared
        return math.pi * self.r ** 2


def total(shapes: List[Circle]):
    return sum(s.area() for s in shapes)
