package config

import "fmt"

func sprintAll(c *Config) string {
	return fmt.Sprintf("%v %+v %#v %v %+v", c, c.GitHub, c.GitHub, c.PagerDuty, *c.PagerDuty)
}
